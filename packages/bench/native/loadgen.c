/* nevio's load generator: one thread, one epoll set, many connections, each keeping `depth`
 * messages in flight. Per message it makes the same syscalls as the servers it drives, so it
 * must add as little as possible on top of them: the hot path does no allocation, builds
 * requests with memcpy, reads the clock once per wakeup rather than once per message, and
 * issues one send() per connection per wakeup. It reports its own CPU use (client_cpu_pct)
 * so that a run limited by the client shows as such.
 *
 * Every reply is checked: echo bytes against what was sent, HTTP responses by framing and
 * status, RESP replies by type and (for GET) by the value the same connection just SET; the
 * data-type modes (xadd, xgroup, pfadd, geoadd: resp_types.c) check each reply against its request.
 *
 * While running it writes two marker lines to stderr, "loadgen: measuring" when warm-up ends
 * and "loadgen: done" when the measured window closes, so that a runner can sample the
 * server's CPU time over exactly that window. The result is one JSON line on stdout. */
#define _GNU_SOURCE
#include "common.h"
#include "resp_types.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_ECHO, MODE_HTTP, MODE_RESP, MODE_XADD, MODE_XGROUP, MODE_PFADD, MODE_GEOADD };
static const char *const MODE_NAMES[] = {"echo", "http", "resp", "xadd", "xgroup", "pfadd", "geoadd"};
/* The data-type modes, in the order of enum types_mode. */
#define MODE_FIRST_TYPES MODE_XADD
#define IS_TYPES_MODE(m) ((m) >= MODE_FIRST_TYPES)

static struct {
  const char *host;
  int port;
  int conns;
  double duration, warmup;
  enum mode mode;
  size_t size;
  int depth;
  const char *path;
} opt = {"127.0.0.1", -1, 50, 10, 1, MODE_ECHO, 64, 1, "/"};

/* ---- latency histogram ----
 * Log-linear buckets over nanoseconds: exact below 128 ns, then 64 buckets per power of two,
 * so any reported percentile is within 1/128 (0.8%) of the true value, in fixed memory. */
#define HIST_SUB 64
#define HIST_BUCKETS (HIST_SUB * 64)
static uint64_t hist[HIST_BUCKETS];
static uint64_t hist_total;

static unsigned hist_bucket(uint64_t ns) {
  if (ns < 2 * HIST_SUB) return (unsigned)ns;
  unsigned shift = (unsigned)(63 - __builtin_clzll(ns)) - 6;
  return (shift + 1) * HIST_SUB + (unsigned)((ns >> shift) - HIST_SUB);
}

static double hist_percentile_us(double q) {
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

/* ---- connections ---- */
enum http_state { H_HEAD, H_BODY, H_CHUNK_SIZE, H_CHUNK_DATA, H_CHUNK_END, H_TRAILER };

struct conn {
  int fd;
  int id;
  int open;
  int connecting; /* nonblocking connect() still in progress */
  int out_armed;
  uint64_t sent, done; /* messages sent and answered; sent - done are in flight */
  uint64_t limit;      /* messages to send in this phase (xgroup: set when the phase ends or starts) */
  uint64_t *stamps;    /* send times of the messages in flight, a ring of depth slots */
  unsigned sent_slot, done_slot; /* k % depth for sent and done, kept without dividing */
  char *out;
  size_t out_off, out_len;
  uint64_t rx;      /* echo: stream offset of the next byte received */
  uint64_t bad_msg; /* echo: 1 + index of a message found corrupt, so it counts once */
  char *in;
  size_t in_len, in_cap;
  enum http_state hstate;
  int status;
  uint64_t left; /* http: body or chunk bytes still to skip */
};

static struct conn *conns;
static size_t out_cap;
static int epfd;
static int open_conns;
static int ever_connected;
static int measuring;
static uint64_t messages, errors;
/* xgroup fills the streams first (PHASE_FILL, until fill_end), then consumes (PHASE_RUN). */
static enum types_phase phase = PHASE_RUN;
static uint64_t fill_end;
static unsigned reported_errors;

/* Message k of connection c carries pattern bytes from a window that moves with k and c,
 * so consecutive messages differ and a reply echoed out of order or from another
 * connection does not verify. */
#define PATTERN_SPAN 4096
static unsigned char *pattern;
static const unsigned char *msg_bytes(const struct conn *c, uint64_t k) {
  return pattern + ((k * 61 + (uint64_t)c->id * 17) % PATTERN_SPAN);
}

static char http_request[1024];
static size_t http_request_len;

static void note_error(const struct conn *c, const char *what) {
  errors++;
  /* The first few reasons are enough to diagnose a broken server; thousands would drown it. */
  if (reported_errors++ < 5) fprintf(stderr, "loadgen: conn %d: %s\n", c->id, what);
}

static void conn_fail(struct conn *c, const char *what) {
  if (!c->open) return;
  note_error(c, what);
  close(c->fd);
  c->open = 0;
  open_conns--;
}

/* xgroup: a connection has consumed every entry it appended; the measured window ends. */
static int consumer_finished;

static void complete(struct conn *c, int ok, uint64_t now, const char *why) {
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
  hist[hist_bucket(now - sent_at)]++;
  hist_total++;
}

static size_t append_uint(char *p, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) p[i] = tmp[n - 1 - i];
  return n;
}

/* Keys are private to a connection (so a GET sees the SET just before it on the same
 * connection) and recycled over 1000 per connection (so the server's memory stays bounded). */
static size_t resp_key(const struct conn *c, uint64_t k, char *p) {
  memcpy(p, "key:", 4);
  return 4 + append_uint(p + 4, (uint64_t)c->id * 1000 + (k / 2) % 1000);
}

static size_t build_message(struct conn *c, uint64_t k, char *p) {
  switch (opt.mode) {
  case MODE_ECHO:
    memcpy(p, msg_bytes(c, k), opt.size);
    return opt.size;
  case MODE_HTTP:
    memcpy(p, http_request, http_request_len);
    return http_request_len;
  case MODE_XADD:
  case MODE_XGROUP:
  case MODE_PFADD:
  case MODE_GEOADD:
    return types_build((enum types_mode)(opt.mode - MODE_FIRST_TYPES), phase, c->id, k, msg_bytes(c, k), opt.size, p);
  case MODE_RESP: {
    char key[32];
    size_t klen = resp_key(c, k, key);
    char *q = p;
    if (k % 2 == 0) {
      memcpy(q, "*3\r\n$3\r\nSET\r\n$", 14);
      q += 14;
    } else {
      memcpy(q, "*2\r\n$3\r\nGET\r\n$", 14);
      q += 14;
    }
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
  }
  return 0;
}

static size_t max_message_len(void) {
  switch (opt.mode) {
  case MODE_ECHO: return opt.size;
  case MODE_HTTP: return http_request_len;
  case MODE_RESP: return opt.size + 96;
  case MODE_XADD:
  case MODE_XGROUP:
  case MODE_PFADD:
  case MODE_GEOADD: return opt.size + TYPES_MAX_OVERHEAD;
  }
  return 0;
}

static void set_out_interest(struct conn *c, int armed) {
  if (c->out_armed == armed) return;
  struct epoll_event ev = {.events = EPOLLIN | (armed ? EPOLLOUT : 0), .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die_errno("epoll_ctl(MOD)");
  c->out_armed = armed;
}

static void flush(struct conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (w >= 0) {
      c->out_off += (size_t)w;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      set_out_interest(c, 1);
      return;
    }
    conn_fail(c, strerror(errno));
    return;
  }
  c->out_off = c->out_len = 0;
  set_out_interest(c, 0);
}

/* Tops the connection up to `depth` messages in flight. Unsent bytes always belong to
 * messages in flight, so the output buffer never needs more than depth messages. */
static void refill(struct conn *c, uint64_t now) {
  if (phase == PHASE_FILL && now >= fill_end && c->limit > c->sent) c->limit = c->sent;
  if (c->sent - c->done >= (uint64_t)opt.depth || c->sent >= c->limit) return;
  if (c->out_off > 0) {
    memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
    c->out_len -= c->out_off;
    c->out_off = 0;
  }
  /* The capacity check only matters for a server that answers before a request has been
   * fully sent, which would otherwise let unsent bytes pile up past depth messages. */
  while (c->sent - c->done < (uint64_t)opt.depth && c->sent < c->limit && c->out_len + max_message_len() <= out_cap) {
    c->stamps[c->sent_slot] = now;
    if (++c->sent_slot == (unsigned)opt.depth) c->sent_slot = 0;
    c->out_len += build_message(c, c->sent, c->out + c->out_len);
    c->sent++;
  }
  flush(c);
}

/* ---- reply parsing ---- */
static void on_echo(struct conn *c, const char *buf, size_t n, uint64_t now) {
  size_t i = 0;
  while (i < n) {
    uint64_t k = c->rx / opt.size;
    size_t at = (size_t)(c->rx % opt.size);
    if (k >= c->sent) {
      conn_fail(c, "server sent bytes that were never sent to it");
      return;
    }
    size_t chunk = n - i < opt.size - at ? n - i : opt.size - at;
    if (memcmp(buf + i, msg_bytes(c, k) + at, chunk) != 0) c->bad_msg = k + 1;
    i += chunk;
    c->rx += chunk;
    if (at + chunk == opt.size) complete(c, c->bad_msg != k + 1, now, "echoed bytes differ from those sent");
  }
}

static const char *find_crlf(const char *p, size_t n) {
  const char *nl = memchr(p, '\n', n);
  return nl && nl > p && nl[-1] == '\r' ? nl - 1 : NULL;
}

/* Parses the head ending at `end` (the blank line's "\r\n\r\n"); returns 0 when the
 * response is framed in a way this client can follow. */
static int parse_http_head(struct conn *c, const char *head, const char *end) {
  if (end - head < 12 || memcmp(head, "HTTP/1.", 7) != 0) return -1;
  c->status = 0;
  for (int i = 9; i < 12; i++) {
    if (head[i] < '0' || head[i] > '9') return -1;
    c->status = c->status * 10 + head[i] - '0';
  }
  int chunked = 0, has_length = 0;
  uint64_t length = 0;
  const char *line = find_crlf(head, (size_t)(end + 2 - head));
  if (!line) return -1;
  line += 2;
  while (line < end + 2) {
    const char *eol = find_crlf(line, (size_t)(end + 4 - line));
    if (!eol) return -1;
    const char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon) {
      size_t nlen = (size_t)(colon - line);
      const char *v = colon + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      if (nlen == 14 && strncasecmp(line, "content-length", 14) == 0) {
        char *stop;
        length = strtoull(v, &stop, 10);
        if (stop == v) return -1;
        has_length = 1;
      } else if (nlen == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
        chunked = memmem(v, (size_t)(eol - v), "chunked", 7) != NULL;
      }
    }
    line = eol + 2;
  }
  if (c->status >= 100 && c->status < 200) {
    c->hstate = H_HEAD; /* interim response: the real one follows */
  } else if (chunked) {
    c->hstate = H_CHUNK_SIZE;
  } else if (has_length) {
    c->hstate = H_BODY;
    c->left = length;
  } else if (c->status == 204 || c->status == 304) {
    c->hstate = H_BODY;
    c->left = 0;
  } else {
    return -1; /* delimited by close: impossible to pipeline */
  }
  return 0;
}

/* Servers send the same head over and over (a Date header changes once a second at most),
 * so the last head parsed is kept: a response starting with exactly those bytes has the same
 * status and framing, and costs one memcmp instead of a search and a parse. */
static struct {
  char bytes[1024];
  size_t len;
  int status;
  enum http_state state;
  uint64_t left;
} last_head;

static void http_done(struct conn *c, uint64_t now) {
  c->hstate = H_HEAD;
  if (c->done >= c->sent) {
    conn_fail(c, "response to a request never sent");
    return;
  }
  complete(c, c->status >= 200 && c->status < 300, now, "non-2xx HTTP status");
}

/* Consumes what it can of c->in; returns how many bytes, or -1 after failing the conn. */
static long parse_http(struct conn *c, uint64_t now) {
  const char *p = c->in;
  size_t pos = 0, n = c->in_len;
  while (c->open) {
    const char *avail = p + pos;
    size_t left = n - pos;
    switch (c->hstate) {
    case H_HEAD: {
      if (last_head.len && left >= last_head.len && memcmp(avail, last_head.bytes, last_head.len) == 0) {
        c->status = last_head.status;
        c->hstate = last_head.state;
        c->left = last_head.left;
        pos += last_head.len;
      } else {
        const char *end = memmem(avail, left, "\r\n\r\n", 4);
        if (!end) return (long)pos;
        if (parse_http_head(c, avail, end) < 0) {
          conn_fail(c, "malformed or unframed HTTP response");
          return -1;
        }
        size_t len = (size_t)(end + 4 - avail);
        if (len <= sizeof last_head.bytes) {
          memcpy(last_head.bytes, avail, len);
          last_head.len = len;
          last_head.status = c->status;
          last_head.state = c->hstate;
          last_head.left = c->left;
        }
        pos += len;
      }
      if (c->hstate == H_BODY && c->left == 0) http_done(c, now);
      break;
    }
    case H_BODY:
    case H_CHUNK_DATA: {
      size_t take = left < c->left ? left : (size_t)c->left;
      pos += take;
      c->left -= take;
      if (c->left > 0) return (long)pos;
      if (c->hstate == H_BODY) http_done(c, now);
      else c->hstate = H_CHUNK_END;
      break;
    }
    case H_CHUNK_END:
      if (left < 2) return (long)pos;
      if (avail[0] != '\r' || avail[1] != '\n') {
        conn_fail(c, "chunk not followed by CRLF");
        return -1;
      }
      pos += 2;
      c->hstate = H_CHUNK_SIZE;
      break;
    case H_CHUNK_SIZE:
    case H_TRAILER: {
      const char *eol = find_crlf(avail, left);
      if (!eol) return (long)pos;
      pos += (size_t)(eol + 2 - avail);
      if (c->hstate == H_TRAILER) {
        if (eol == avail) http_done(c, now);
        break;
      }
      char *stop;
      c->left = strtoull(avail, &stop, 16);
      if (stop == avail) {
        conn_fail(c, "bad chunk size");
        return -1;
      }
      c->hstate = c->left == 0 ? H_TRAILER : H_CHUNK_DATA;
      break;
    }
    }
  }
  return -1;
}

/* Length of the complete RESP value at p, 0 if more bytes are needed, -1 if malformed. */
static long resp_value_len(const char *p, size_t n, int nesting) {
  if (n < 3) return 0;
  const char *eol = find_crlf(p, n);
  if (!eol) return memchr(p, '\n', n) ? -1 : 0;
  long head = eol + 2 - p;
  switch (p[0]) {
  case '+':
  case '-':
  case ':':
    return head;
  case '$': {
    char *stop;
    long len = strtol(p + 1, &stop, 10);
    if (stop != eol || len < -1) return -1;
    if (len == -1) return head;
    if ((size_t)head + (size_t)len + 2 > n) return 0;
    if (p[head + len] != '\r' || p[head + len + 1] != '\n') return -1;
    return head + len + 2;
  }
  case '*': {
    char *stop;
    long count = strtol(p + 1, &stop, 10);
    if (stop != eol || count < -1 || nesting > 8) return -1;
    long total = head;
    for (long i = 0; i < count; i++) {
      long r = resp_value_len(p + total, n - (size_t)total, nesting + 1);
      if (r <= 0) return r;
      total += r;
    }
    return total;
  }
  default:
    return -1;
  }
}

static long parse_resp(struct conn *c, uint64_t now) {
  size_t pos = 0;
  while (pos < c->in_len) {
    const char *r = c->in + pos;
    long len = resp_value_len(r, c->in_len - pos, 0);
    if (len == 0) break;
    if (len < 0) {
      conn_fail(c, "malformed RESP reply");
      return -1;
    }
    if (c->done >= c->sent) {
      conn_fail(c, "reply to a command never sent");
      return -1;
    }
    uint64_t k = c->done;
    int ok;
    const char *why = "unexpected reply";
    if (IS_TYPES_MODE(opt.mode)) {
      why = types_check((enum types_mode)(opt.mode - MODE_FIRST_TYPES), phase, c->id, k, r, (size_t)len);
      ok = why == NULL;
    } else if (r[0] == '-') {
      ok = 0;
      why = "error reply";
    } else if (k % 2 == 0) {
      ok = len == 5 && memcmp(r, "+OK\r\n", 5) == 0;
    } else {
      char want[32];
      want[0] = '$';
      size_t wl = 1 + append_uint(want + 1, opt.size);
      want[wl++] = '\r', want[wl++] = '\n';
      ok = (size_t)len == wl + opt.size + 2 && memcmp(r, want, wl) == 0 &&
           memcmp(r + wl, msg_bytes(c, k - 1), opt.size) == 0;
      if (!ok) why = "GET did not return the value just SET";
    }
    complete(c, ok, now, why);
    pos += (size_t)len;
  }
  return (long)pos;
}

static void on_readable(struct conn *c, uint64_t now) {
  /* Echo replies are verified as they stream in and need no per-connection buffer. */
  static char echo_buf[256 * 1024];
  char *dst = opt.mode == MODE_ECHO ? echo_buf : c->in + c->in_len;
  size_t room = opt.mode == MODE_ECHO ? sizeof echo_buf : c->in_cap - c->in_len;
  if (room == 0) {
    conn_fail(c, "reply larger than the receive buffer");
    return;
  }
  ssize_t r;
  do r = recv(c->fd, dst, room, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) conn_fail(c, strerror(errno));
    return;
  }
  if (r == 0) {
    conn_fail(c, "server closed the connection");
    return;
  }
  if (opt.mode == MODE_ECHO) {
    on_echo(c, echo_buf, (size_t)r, now);
  } else {
    c->in_len += (size_t)r;
    long used = opt.mode == MODE_HTTP ? parse_http(c, now) : parse_resp(c, now);
    if (used < 0) return;
    memmove(c->in, c->in + used, c->in_len - (size_t)used);
    c->in_len -= (size_t)used;
  }
  if (c->open) refill(c, now);
}

/* ---- setup and main loop ---- */
static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --port P [--host 127.0.0.1] [--conns 50] [--duration 10] [--warmup 1]\n"
          "               [--mode echo|http|resp|xadd|xgroup|pfadd|geoadd] [--size 64] [--depth 1]\n"
          "               [--path /]\n");
  exit(2);
}

static double parse_num(const char *s, double lo, double hi, const char *name) {
  char *end;
  double v = strtod(s, &end);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "loadgen: %s must be a number in [%g, %g]\n", name, lo, hi);
    exit(2);
  }
  return v;
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (strcmp(a, "--host") == 0) opt.host = v;
    else if (strcmp(a, "--port") == 0) opt.port = parse_port(v);
    else if (strcmp(a, "--conns") == 0) opt.conns = (int)parse_num(v, 1, 60000, a);
    else if (strcmp(a, "--duration") == 0) opt.duration = parse_num(v, 0.01, 86400, a);
    else if (strcmp(a, "--warmup") == 0) opt.warmup = parse_num(v, 0, 3600, a);
    else if (strcmp(a, "--size") == 0) opt.size = (size_t)parse_num(v, 1, 16 << 20, a);
    else if (strcmp(a, "--depth") == 0) opt.depth = (int)parse_num(v, 1, 4096, a);
    else if (strcmp(a, "--path") == 0) opt.path = v;
    else if (strcmp(a, "--mode") == 0) {
      size_t m = 0;
      while (m < sizeof MODE_NAMES / sizeof *MODE_NAMES && strcmp(v, MODE_NAMES[m]) != 0) m++;
      if (m == sizeof MODE_NAMES / sizeof *MODE_NAMES) usage();
      opt.mode = (enum mode)m;
    } else usage();
  }
  if (opt.port <= 0) usage();
}

static void setup(void) {
  int n = snprintf(http_request, sizeof http_request, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", opt.path);
  if (n < 0 || (size_t)n >= sizeof http_request) die("loadgen: --path too long");
  http_request_len = (size_t)n;

  pattern = malloc(PATTERN_SPAN + opt.size);
  if (!pattern) die("out of memory");
  uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift64: fixed seed, so runs are comparable */
  for (size_t i = 0; i < PATTERN_SPAN + opt.size; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    pattern[i] = (unsigned char)(x >> 24);
  }

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)opt.port);
  if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1) die("loadgen: --host must be an IPv4 address");

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die_errno("epoll_create1");
  conns = calloc((size_t)opt.conns, sizeof *conns);
  if (!conns) die("out of memory");
  out_cap = (size_t)opt.depth * max_message_len();
  /* Room for a whole reply plus the next one's start; HTTP heads must fit in 64 KiB. */
  size_t in_cap = opt.mode == MODE_ECHO ? 0 : 2 * (opt.size + 64) > 65536 ? 2 * (opt.size + 64) : 65536;
  for (int i = 0; i < opt.conns; i++) {
    struct conn *c = &conns[i];
    c->id = i;
    c->limit = UINT64_MAX;
    c->stamps = calloc((size_t)opt.depth, sizeof *c->stamps);
    c->out = malloc(out_cap);
    c->in_cap = in_cap;
    c->in = in_cap ? malloc(in_cap) : NULL;
    if (!c->stamps || !c->out || (in_cap && !c->in)) die("out of memory");
    /* Nonblocking, so that a server whose backlog is full (the kernel then drops SYNs and
     * retries for minutes) costs errors at the end of the run instead of a hang here. */
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die_errno("socket");
    c->open = 1;
    c->connecting = 1;
    c->out_armed = 1;
    open_conns++;
    /* EPOLLOUT reports the end of the handshake, whether it succeeded or not. */
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die_errno("epoll_ctl(ADD)");
    /* EINTR leaves the connect going on asynchronously, like EINPROGRESS. */
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS && errno != EINTR) {
      char why[128];
      snprintf(why, sizeof why, "connect: %s", strerror(errno));
      conn_fail(c, why);
    }
  }
}

/* The load generator's own CPU time: a client near 100% means the figures show its limit,
 * not the server's. */
static uint64_t cpu_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0) die_errno("clock_gettime");
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_at_start;

static void finish_connect(struct conn *c, uint64_t now) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err) {
    char why[128];
    snprintf(why, sizeof why, "connect: %s", strerror(err));
    conn_fail(c, why);
    return;
  }
  if (set_nodelay(c->fd) < 0) {
    conn_fail(c, "setsockopt(TCP_NODELAY) failed");
    return;
  }
  c->connecting = 0;
  ever_connected++;
  set_out_interest(c, 0);
  refill(c, now);
}

/* xgroup: every connection has stopped appending and has its answers (or never connected). */
static int fill_drained(void) {
  for (int i = 0; i < opt.conns; i++) {
    struct conn *c = &conns[i];
    if (c->sent == c->done && c->limit > c->sent) c->limit = c->sent;
    if (c->open && !c->connecting && c->sent != c->done) return 0;
  }
  return 1;
}

/* xgroup: from appending to consuming. Each connection reads back what it appended (sent - 1
 * entries after its XGROUP CREATE) with one XREADGROUP and one XACK per entry. */
static void start_run(uint64_t now) {
  phase = PHASE_RUN;
  for (int i = 0; i < opt.conns; i++) {
    struct conn *c = &conns[i];
    uint64_t entries = c->sent > 0 ? c->sent - 1 : 0;
    c->limit = 2 * entries;
    c->sent = c->done = 0;
    c->sent_slot = c->done_slot = 0;
    if (c->open && !c->connecting) refill(c, now);
  }
}

static void start_measuring(void) {
  measuring = 1;
  cpu_at_start = cpu_ns();
  fprintf(stderr, "loadgen: measuring\n");
  fflush(stderr);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  setup();

  uint64_t now = now_ns();
  uint64_t warm_end = now + (uint64_t)(opt.warmup * 1e9);
  uint64_t end = warm_end + (uint64_t)(opt.duration * 1e9);
  uint64_t t0 = warm_end;
  if (opt.mode == MODE_XGROUP) {
    /* Half the time appending: consuming takes two commands per entry, so about as long as a
     * warm-up plus a duration. Warm-up and window are counted from the end of the fill. */
    phase = PHASE_FILL;
    fill_end = now + (uint64_t)((opt.warmup + opt.duration) / 2 * 1e9);
    warm_end = end = t0 = UINT64_MAX;
  } else if (opt.warmup == 0) {
    start_measuring();
  }

  struct epoll_event events[512];
  while (now < end && open_conns > 0 && !consumer_finished) {
    uint64_t next = phase == PHASE_FILL ? fill_end : measuring ? end : warm_end;
    /* While the fill drains, wake up now and then to see whether it has. */
    int timeout = next > now ? (int)((next - now) / 1000000) + 1 : phase == PHASE_FILL ? 10 : 0;
    int n = epoll_wait(epfd, events, 512, timeout);
    if (n < 0 && errno != EINTR) die_errno("epoll_wait");
    now = now_ns();
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (!c->open) continue;
      if (c->connecting) {
        finish_connect(c, now);
        continue;
      }
      if (events[i].events & EPOLLOUT) flush(c);
      if (c->open && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c, now);
    }
    if (phase == PHASE_FILL && now >= fill_end && fill_drained()) {
      start_run(now);
      warm_end = t0 = now + (uint64_t)(opt.warmup * 1e9);
      /* The window ends when the first consumer is done; this bounds a server that stalls. */
      end = warm_end + (uint64_t)(2 * opt.duration * 1e9);
    }
    if (!measuring && now >= warm_end) {
      t0 = now;
      start_measuring();
    }
  }
  fprintf(stderr, "loadgen: done\n");
  for (int i = 0; i < opt.conns; i++) {
    if (conns[i].open && conns[i].connecting) note_error(&conns[i], "connect: not established by the end of the run");
  }
  fflush(stderr);
  if (!ever_connected) die("loadgen: no connection could be established");

  double seconds = measuring && now > t0 ? (double)(now - t0) / 1e9 : 0;
  double client_cpu = seconds > 0 ? (double)(cpu_ns() - cpu_at_start) / 1e9 / seconds * 100 : 0;
  printf("{\"mode\":\"%s\",\"conns\":%d,\"depth\":%d,\"size\":%zu,\"messages\":%" PRIu64
         ",\"seconds\":%.3f,\"rate\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"errors\":%" PRIu64
         ",\"client_cpu_pct\":%.0f}\n",
         MODE_NAMES[opt.mode], opt.conns, opt.depth, opt.size, messages, seconds,
         seconds > 0 ? (double)messages / seconds : 0, hist_percentile_us(0.50), hist_percentile_us(0.99),
         errors, client_cpu);
  return 0;
}
