/* The physical limit for HTTP keep-alive on one core. It does not parse HTTP: every
 * "\r\n\r\n" ends a request and earns the canned response, so pipelined requests get one
 * answer each and a request split across reads waits in the connection's tail. */
#define _GNU_SOURCE
#include "server.h"

#include <string.h>

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";
#define RESPONSE_LEN (sizeof RESPONSE - 1)
#define MAX_REQUEST (64 * 1024)

/* Answers for the complete requests in buf and returns how many bytes they spanned. */
static size_t answer(struct conn *c, const char *buf, size_t n) {
  /* Batched so that 16 pipelined requests cost one send(). */
  static char out[64 * RESPONSE_LEN];
  size_t out_len = 0, consumed = 0;
  const char *end;
  while ((end = memmem(buf + consumed, n - consumed, "\r\n\r\n", 4)) != NULL) {
    consumed = (size_t)(end - buf) + 4;
    memcpy(out + out_len, RESPONSE, RESPONSE_LEN);
    out_len += RESPONSE_LEN;
    if (out_len == sizeof out) {
      conn_send(c, out, out_len);
      out_len = 0;
    }
  }
  if (out_len) conn_send(c, out, out_len);
  return consumed;
}

static void on_data(struct conn *c, const char *data, size_t n) {
  struct tail *t = conn_tail(c);
  if (t->len == 0) {
    size_t used = answer(c, data, n);
    if (used < n) tail_append(t, data + used, n - used);
    return;
  }
  tail_append(t, data, n);
  if (t->len > MAX_REQUEST) {
    /* Without a bound, a client that never sends a blank line would grow the tail forever. */
    conn_close(c);
    return;
  }
  size_t used = answer(c, t->buf, t->len);
  memmove(t->buf, t->buf + used, t->len - used);
  t->len -= used;
}

int main(int argc, char **argv) { return server_main(argc, argv, "c-epoll http", on_data); }
