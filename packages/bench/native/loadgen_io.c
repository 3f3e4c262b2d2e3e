/* The load generator's hot path: building messages, keeping `depth` of them in flight per
 * connection with one send per wakeup, reading replies, and counting completed messages into
 * the latency histogram. No allocation here: buffers are sized at setup. */
#define _GNU_SOURCE
#include "common.h"
#include "loadgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- latency histogram ----
 * Log-linear buckets over nanoseconds: exact below 128 ns, then 64 buckets per power of two,
 * so any reported percentile is within 1/128 (0.8%) of the true value, in fixed memory. */
#define HIST_SUB 64
#define HIST_BUCKETS (HIST_SUB * 64)
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_total;
static uint64_t messages, errors;
static unsigned reported_errors;

static unsigned hist_bucket(uint64_t ns) {
  if (ns < 2 * HIST_SUB) return (unsigned)ns;
  unsigned shift = (unsigned)(63 - __builtin_clzll(ns)) - 6;
  return (shift + 1) * HIST_SUB + (unsigned)((ns >> shift) - HIST_SUB);
}

void hist_add(uint64_t ns) {
  hist[hist_bucket(ns)]++;
  hist_total++;
}

double hist_percentile_us(double q) {
  if (hist_total == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)hist_total + 0.5);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen < rank) continue;
    if (i < 2 * HIST_SUB) return i / 1000.0;
    unsigned shift = i / HIST_SUB - 1;
    uint64_t low = (uint64_t)(HIST_SUB + i % HIST_SUB) << shift;
    return (double)(low + ((1ull << shift) >> 1)) / 1000.0;
  }
  return 0;
}

uint64_t messages_counted(void) { return messages; }
uint64_t errors_counted(void) { return errors; }

void note_error(const struct conn *c, const char *what) {
  errors++;
  /* The first few reasons are enough to diagnose a broken server; thousands would drown it. */
  if (reported_errors++ < 5) fprintf(stderr, "loadgen: conn %d: %s\n", c->id, what);
}

void conn_fail(struct conn *c, const char *what) {
  if (!c->open) return;
  note_error(c, what);
  if (c->ssl) tls_close(c, 0);
  close(c->fd);
  c->open = 0;
  open_conns--;
}

void complete(struct conn *c, int ok, uint64_t now, const char *why) {
  uint64_t sent_at = c->stamps[c->done_slot];
  if (++c->done_slot == (unsigned)opt.depth) c->done_slot = 0;
  c->done++;
  if (opt.mode == MODE_XGROUP && phase == PHASE_RUN && c->limit > 0 && c->done == c->limit) consumer_finished = 1;
  if (!ok) {
    note_error(c, why);
    return;
  }
  if (!measuring) return;
  messages++;
  hist_add(now - sent_at);
}

/* Message k of connection c carries pattern bytes from a window that moves with k and c,
 * so consecutive messages differ and a reply echoed out of order or from another
 * connection does not verify. */
#define PATTERN_SPAN 4096
static unsigned char *pattern;
const unsigned char *msg_bytes(const struct conn *c, uint64_t k) {
  return pattern + ((k * 61 + (uint64_t)c->id * 17) % PATTERN_SPAN);
}

void make_pattern(void) {
  pattern = malloc(PATTERN_SPAN + opt.size);
  if (!pattern) die("out of memory");
  uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift64: fixed seed, so runs are comparable */
  for (size_t i = 0; i < PATTERN_SPAN + opt.size; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    pattern[i] = (unsigned char)(x >> 24);
  }
}

/* Keys are private to a connection (so a GET sees the SET just before it on the same
 * connection) and recycled over 1000 per connection (so the server's memory stays bounded). */
static size_t resp_key(const struct conn *c, uint64_t k, char *p) {
  memcpy(p, "key:", 4);
  return 4 + append_uint(p + 4, (uint64_t)c->id * 1000 + (k / 2) % 1000);
}

static size_t build_resp(struct conn *c, uint64_t k, char *p) {
  char key[32];
  size_t klen = resp_key(c, k, key);
  char *q = p;
  memcpy(q, k % 2 == 0 ? "*3\r\n$3\r\nSET\r\n$" : "*2\r\n$3\r\nGET\r\n$", 14);
  q += 14;
  q += append_uint(q, klen);
  *q++ = '\r', *q++ = '\n';
  memcpy(q, key, klen);
  q += klen;
  *q++ = '\r', *q++ = '\n';
  if (k % 2 == 0) {
    *q++ = '$';
    q += append_uint(q, opt.size);
    *q++ = '\r', *q++ = '\n';
    memcpy(q, msg_bytes(c, k), opt.size);
    q += opt.size;
    *q++ = '\r', *q++ = '\n';
  }
  return (size_t)(q - p);
}

static size_t build_message(struct conn *c, uint64_t k, char *p) {
  switch (opt.mode) {
  case MODE_ECHO:
  case MODE_HANDSHAKE:
    memcpy(p, msg_bytes(c, k), opt.size);
    return opt.size;
  case MODE_HTTP:
    memcpy(p, http_request, http_request_len);
    return http_request_len;
  case MODE_RESP: return build_resp(c, k, p);
  case MODE_WS: return ws_build(c, k, p);
  case MODE_XADD:
  case MODE_XGROUP:
  case MODE_PFADD:
  case MODE_GEOADD:
    return types_build((enum types_mode)(opt.mode - MODE_FIRST_TYPES), phase, c->id, k, msg_bytes(c, k), opt.size, p);
  }
  return 0;
}

size_t max_message_len(void) {
  switch (opt.mode) {
  case MODE_ECHO:
  case MODE_HANDSHAKE: return opt.size;
  case MODE_HTTP: return http_request_len;
  case MODE_RESP: return opt.size + 96;
  case MODE_WS: return ws_max_message_len();
  case MODE_XADD:
  case MODE_XGROUP:
  case MODE_PFADD:
  case MODE_GEOADD: return opt.size + TYPES_MAX_OVERHEAD;
  }
  return 0;
}

void set_interest(struct conn *c, int out) {
  if (c->out_armed == out) return;
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die_errno("epoll_ctl(MOD)");
  c->out_armed = out;
}

void flush(struct conn *c) {
  while (c->out_off < c->out_len) {
    const char *p = c->out + c->out_off;
    size_t n = c->out_len - c->out_off;
    ssize_t w = c->ssl ? tls_send(c, p, n) : send(c->fd, p, n, MSG_NOSIGNAL);
    if (w >= 0) {
      c->out_off += (size_t)w;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      set_interest(c, 1);
      return;
    }
    conn_fail(c, strerror(errno));
    return;
  }
  c->out_off = c->out_len = 0;
  set_interest(c, 0);
}

/* Tops the connection up to `depth` messages in flight. Unsent bytes always belong to
 * messages in flight, so the output buffer never needs more than depth messages. */
void refill(struct conn *c, uint64_t now) {
  if (c->upgrading) return;
  if (phase == PHASE_FILL && now >= fill_end && c->limit > c->sent) c->limit = c->sent;
  if (c->sent - c->done >= (uint64_t)opt.depth || c->sent >= c->limit) return;
  if (c->out_off > 0) {
    /* TLS: a write OpenSSL asked to retry may be resumed from the moved buffer
     * (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER), its bytes unchanged. */
    memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
    c->out_len -= c->out_off;
    c->out_off = 0;
  }
  /* The capacity check only matters for a server that answers before a request has been
   * fully sent, which would otherwise let unsent bytes pile up past depth messages. */
  while (c->sent - c->done < (uint64_t)opt.depth && c->sent < c->limit && c->out_len + max_message_len() <= out_cap) {
    /* handshake mode times the whole connection: connect, handshake and the one echo. */
    c->stamps[c->sent_slot] = opt.mode == MODE_HANDSHAKE ? c->opened_at : now;
    if (++c->sent_slot == (unsigned)opt.depth) c->sent_slot = 0;
    c->out_len += build_message(c, c->sent, c->out + c->out_len);
    c->sent++;
  }
  flush(c);
}

/* One read and what it completes; 0 when the socket had nothing more, 1 after progress. */
static int read_once(struct conn *c, uint64_t now) {
  /* Echo replies are verified as they stream in and need no per-connection buffer. */
  static char echo_buf[256 * 1024];
  int echo = opt.mode == MODE_ECHO || opt.mode == MODE_HANDSHAKE;
  char *dst = echo ? echo_buf : c->in + c->in_len;
  size_t room = echo ? sizeof echo_buf : c->in_cap - c->in_len;
  if (room == 0) {
    conn_fail(c, "reply larger than the receive buffer");
    return 0;
  }
  ssize_t r;
  do r = c->ssl ? tls_recv(c, dst, room) : recv(c->fd, dst, room, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) conn_fail(c, strerror(errno));
    return 0;
  }
  if (r == 0) {
    conn_fail(c, "server closed the connection");
    return 0;
  }
  if (echo) {
    on_echo(c, echo_buf, (size_t)r, now);
  } else {
    c->in_len += (size_t)r;
    long used = opt.mode == MODE_HTTP ? parse_http(c, now) : opt.mode == MODE_WS ? parse_ws(c, now) : parse_resp(c, now);
    if (used < 0) return 0;
    memmove(c->in, c->in + used, c->in_len - (size_t)used);
    c->in_len -= (size_t)used;
  }
  return c->open;
}

void on_readable(struct conn *c, uint64_t now) {
  /* Plain TCP: one recv per wakeup (level-triggered epoll reports the rest). TLS: OpenSSL may
   * have read records beyond the one it decrypted, which the socket will not report again. */
  while (read_once(c, now) && c->ssl && tls_pending(c)) continue;
  if (c->open) refill(c, now);
}
