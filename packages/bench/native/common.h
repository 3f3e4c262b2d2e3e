/* Small socket chores shared by the load generator and the baseline servers. Every function
 * either succeeds or exits with the failing syscall named: these are benchmark tools, and a
 * half-configured socket would only produce misleading figures. */
#ifndef NEVIO_BENCH_COMMON_H
#define NEVIO_BENCH_COMMON_H

#include <stdint.h>

void die(const char *what);
void die_errno(const char *what);
int parse_port(const char *s);
void set_nodelay(int fd);
/* Binds 127.0.0.1:port (0 picks one), listens, and returns a nonblocking listening socket.
 * The chosen port is stored in *bound. */
int listen_loopback(int port, int *bound);
uint64_t now_ns(void);

#endif
