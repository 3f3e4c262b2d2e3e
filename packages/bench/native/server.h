/* The skeleton both baseline servers share: one thread, one level-triggered epoll set,
 * nonblocking accept4, TCP_NODELAY, and output that is written inline and only queued
 * (with EPOLLOUT armed and reading paused) when the socket buffer is full. The servers
 * differ only in what they do with the bytes they read. */
#ifndef NEVIO_BENCH_SERVER_H
#define NEVIO_BENCH_SERVER_H

#include <stddef.h>

struct conn;

/* Called with each chunk read from a connection; answers through conn_send. */
typedef void (*on_data_fn)(struct conn *c, const char *data, size_t n);

/* Per-connection scratch space a handler may use to keep a partial request between reads. */
struct tail {
  char *buf;
  size_t len, cap;
};

struct tail *conn_tail(struct conn *c);
void conn_send(struct conn *c, const char *data, size_t n);
/* Closes the connection once the handler returns. */
void conn_close(struct conn *c);
/* Appends to a tail, growing it; exits on allocation failure. */
void tail_append(struct tail *t, const char *data, size_t n);

/* Parses --port, listens on 127.0.0.1, prints "<name> listening on 127.0.0.1:<port>" and
 * serves forever. */
int server_main(int argc, char **argv, const char *name, on_data_fn on_data);

#endif
