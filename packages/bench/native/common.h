/* Small socket chores shared by the load generator and the baseline servers. Setup steps
 * either succeed or exit with the failing syscall named: these are benchmark tools, and a
 * half-configured listener would only produce misleading figures. */
#ifndef NEVIO_BENCH_COMMON_H
#define NEVIO_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

void die(const char *what);
void die_errno(const char *what);
int parse_port(const char *s);
/* Per-connection, so it reports failure (-1, errno set) rather than exiting: one peer that
 * reset early must not take a server down. */
int set_nodelay(int fd);
/* Binds 127.0.0.1:port (0 picks one), listens, and returns a nonblocking listening socket.
 * The chosen port is stored in *bound. */
int listen_loopback(int port, int *bound);
uint64_t now_ns(void);
/* Writes v in decimal at p (no terminator, at most 20 bytes); returns the digits written. */
size_t append_uint(char *p, uint64_t v);
/* Raises the soft limit on open files to `needed` (or exits naming the hard limit that is too
 * low): 10,000 connections need more than the usual default of 1024. */
void raise_nofile(int needed);

#endif
