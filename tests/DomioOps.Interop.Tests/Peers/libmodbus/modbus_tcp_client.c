/* A libmodbus TCP client for interop tests: runs a fixed script against unit 1 of 127.0.0.1:PORT and
 * prints one line per step ("<step>: <values>" or "<step>: error <exception code or errno>").
 * Usage: modbus_tcp_client PORT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <modbus/modbus.h>

static void print_result(const char *step, int rc)
{
    if (rc == -1) {
        int code = errno > MODBUS_ENOBASE && errno < MODBUS_ENOBASE + 20 ? errno - MODBUS_ENOBASE : errno;
        printf("%s: error %d %s\n", step, code, modbus_strerror(errno));
    }
}

static void print_registers(const char *step, int rc, const uint16_t *values)
{
    print_result(step, rc);
    if (rc != -1) {
        printf("%s:", step);
        for (int i = 0; i < rc; i++) {
            printf(" %u", values[i]);
        }
        printf("\n");
    }
}

static void print_bits(const char *step, int rc, const uint8_t *values)
{
    print_result(step, rc);
    if (rc != -1) {
        printf("%s:", step);
        for (int i = 0; i < rc; i++) {
            printf(" %u", values[i]);
        }
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }

    modbus_t *ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 2, 0);
    if (modbus_connect(ctx) == -1) {
        printf("connect: error %s\n", modbus_strerror(errno));
        return 1;
    }

    uint16_t registers[125];
    uint8_t bits[2000];
    const uint16_t many[3] = {11, 22, 33};
    const uint8_t coils[3] = {1, 0, 1};
    const uint16_t pair[2] = {7, 8};

    print_registers("holding", modbus_read_registers(ctx, 0, 10, registers), registers);
    print_registers("input", modbus_read_input_registers(ctx, 0, 5, registers), registers);
    print_bits("coils", modbus_read_bits(ctx, 0, 10, bits), bits);
    print_bits("discrete", modbus_read_input_bits(ctx, 0, 10, bits), bits);
    print_result("write_register", modbus_write_register(ctx, 20, 1234));
    print_result("write_registers", modbus_write_registers(ctx, 30, 3, many));
    print_result("write_bit", modbus_write_bit(ctx, 40, 1));
    print_result("write_bits", modbus_write_bits(ctx, 41, 3, coils));
    print_result("mask_write", modbus_mask_write_register(ctx, 50, 0x00F2, 0x0025));
    print_registers("write_and_read", modbus_write_and_read_registers(ctx, 60, 2, pair, 59, 3, registers), registers);
    print_registers("holding_max", modbus_read_registers(ctx, 0, 125, registers), registers);
    print_registers("past_end", modbus_read_registers(ctx, 995, 10, registers), registers);
    print_registers("after_past_end", modbus_read_registers(ctx, 20, 1, registers), registers);
    printf("done\n");

    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
