/* A libmodbus TCP server for interop tests and the benchmark: serves 1000 entries per table on
 * 127.0.0.1:PORT to any number of clients (select loop), with values the tests know:
 *   holding[i] = i * 7, input[i] = 0xFFFF - i, coil[i] = (i % 3 == 0), discrete[i] = (i % 2 == 1).
 * Prints "listening <port>" when ready. Usage: modbus_tcp_server PORT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <modbus/modbus.h>

#define TABLE_SIZE 1000

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }

    modbus_t *ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
    modbus_mapping_t *map = modbus_mapping_new(TABLE_SIZE, TABLE_SIZE, TABLE_SIZE, TABLE_SIZE);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "setup failed: %s\n", modbus_strerror(errno));
        return 1;
    }

    for (int i = 0; i < TABLE_SIZE; i++) {
        map->tab_registers[i] = (uint16_t)(i * 7);
        map->tab_input_registers[i] = (uint16_t)(0xFFFF - i);
        map->tab_bits[i] = (i % 3 == 0);
        map->tab_input_bits[i] = (i % 2 == 1);
    }

    int listener = modbus_tcp_listen(ctx, 16);
    if (listener == -1) {
        fprintf(stderr, "listen failed: %s\n", modbus_strerror(errno));
        return 1;
    }

    printf("listening %s\n", argv[1]);
    fflush(stdout);

    fd_set open_set;
    FD_ZERO(&open_set);
    FD_SET(listener, &open_set);
    int max_fd = listener;
    uint8_t request[MODBUS_TCP_MAX_ADU_LENGTH];

    for (;;) {
        fd_set ready = open_set;
        if (select(max_fd + 1, &ready, NULL, NULL, NULL) == -1) {
            if (errno == EINTR) {
                continue;
            }
            perror("select");
            return 1;
        }

        for (int fd = 0; fd <= max_fd; fd++) {
            if (!FD_ISSET(fd, &ready)) {
                continue;
            }
            if (fd == listener) {
                int client = accept(listener, NULL, NULL);
                if (client != -1) {
                    /* As libmodbus does for its own connections: no Nagle delay on small replies. */
                    int on = 1;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
                    FD_SET(client, &open_set);
                    if (client > max_fd) {
                        max_fd = client;
                    }
                }
                continue;
            }

            modbus_set_socket(ctx, fd);
            int length = modbus_receive(ctx, request);
            if (length > 0) {
                modbus_reply(ctx, request, length, map);
            } else if (length == -1) {
                close(fd);
                FD_CLR(fd, &open_set);
            }
        }
    }
}
