/* The physical limit for echo on one core: read, write the same bytes back. */
#include "server.h"

static void echo(struct conn *c, const char *data, size_t n) { conn_send(c, data, n); }

int main(int argc, char **argv) { return server_main(argc, argv, "c-epoll echo", echo); }
