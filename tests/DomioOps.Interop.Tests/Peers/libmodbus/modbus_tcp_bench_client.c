/* libmodbus's own synchronous client as the benchmark baseline: COUNT reads of REGISTERS holding
 * registers, one at a time, from 127.0.0.1:PORT. Prints "reads <n> seconds <s> rate <reads/s>".
 * Usage: modbus_tcp_bench_client PORT COUNT REGISTERS */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <modbus/modbus.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT COUNT REGISTERS\n", argv[0]);
        return 2;
    }

    int count = atoi(argv[2]);
    int registers = atoi(argv[3]);
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
    modbus_set_slave(ctx, 1);
    if (modbus_connect(ctx) == -1) {
        fprintf(stderr, "connect: %s\n", modbus_strerror(errno));
        return 1;
    }

    uint16_t values[125];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < count; i++) {
        if (modbus_read_registers(ctx, 0, registers, values) != registers) {
            fprintf(stderr, "read %d failed: %s\n", i, modbus_strerror(errno));
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);

    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("reads %d seconds %.6f rate %.1f\n", count, seconds, count / seconds);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
