/* nevio's load generator: one thread, one epoll set, many connections, each keeping `depth`
 * messages in flight. Per message it makes the same syscalls as the servers it drives, so it
 * must add as little as possible on top of them: the hot path (loadgen_io.c) does no
 * allocation, builds requests with memcpy, reads the clock once per wakeup rather than once per
 * message, and issues one send() per connection per wakeup. It reports its own CPU use
 * (client_cpu_pct) so that a run limited by the client shows as such.
 *
 * Every reply is checked (loadgen_replies.c): echo bytes against what was sent, HTTP responses
 * by framing and status, RESP replies by type and (for GET) by the value the same connection
 * just SET; the data-type modes (xadd, xgroup, pfadd, geoadd: resp_types.c) check each reply
 * against its request; the ws mode (loadgen_ws.c) upgrades each connection and checks every
 * echoed WebSocket frame. --tls runs every mode over TLS 1.3 (loadgen_tls.c); the handshake
 * mode opens a new TLS connection for each message.
 *
 * While running it writes two marker lines to stderr, "loadgen: measuring" when warm-up ends
 * and "loadgen: done" when the measured window closes, so that a runner can sample the
 * server's CPU time over exactly that window. The result is one JSON line on stdout. */
#define _GNU_SOURCE
#include "common.h"
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const char *const MODE_NAMES[] = {"echo", "http", "resp", "handshake", "ws", "xadd", "xgroup", "pfadd", "geoadd"};
const size_t MODE_COUNT = sizeof MODE_NAMES / sizeof *MODE_NAMES;

struct options opt = {"127.0.0.1", -1, 50, 10, 1, MODE_ECHO, 64, 1, "/", 0};

struct conn *conns;
size_t out_cap;
int epfd;
int open_conns;
int measuring;
enum types_phase phase = PHASE_RUN;
uint64_t fill_end;
int consumer_finished;
char http_request[1024];
size_t http_request_len;

static int ever_connected;
static struct sockaddr_in server_addr;

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --port P [--host 127.0.0.1] [--conns 50] [--duration 10] [--warmup 1]\n"
          "               [--mode echo|http|resp|handshake|ws|xadd|xgroup|pfadd|geoadd] [--size 64]\n"
          "               [--depth 1] [--path /] [--tls]\n"
          "  --tls: TLS 1.3, TLS_AES_128_GCM_SHA256; handshake (needs --tls, --depth 1): a new\n"
          "  connection per message, which is one echo of --size bytes\n");
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
    if (strcmp(a, "--tls") == 0) {
      opt.tls = 1;
      continue;
    }
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
      while (m < MODE_COUNT && strcmp(v, MODE_NAMES[m]) != 0) m++;
      if (m == MODE_COUNT) usage();
      opt.mode = (enum mode)m;
    } else usage();
  }
  if (opt.port <= 0) usage();
  if (opt.mode == MODE_HANDSHAKE && (!opt.tls || opt.depth != 1)) die("loadgen: --mode handshake needs --tls and --depth 1");
}

/* Opens (or, in handshake mode, reopens) the connection's socket and starts connecting.
 * Nonblocking, so that a server whose backlog is full (the kernel then drops SYNs and retries
 * for minutes) costs errors at the end of the run instead of a hang. */
static void conn_connect(struct conn *c, uint64_t now) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die_errno("socket");
  c->open = 1;
  c->connecting = 1;
  c->out_armed = 1;
  c->opened_at = now;
  open_conns++;
  /* EPOLLOUT reports the end of the handshake, whether it succeeded or not. */
  struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die_errno("epoll_ctl(ADD)");
  /* EINTR leaves the connect going on asynchronously, like EINPROGRESS. */
  if (connect(c->fd, (struct sockaddr *)&server_addr, sizeof server_addr) < 0 && errno != EINPROGRESS && errno != EINTR) {
    char why[128];
    snprintf(why, sizeof why, "connect: %s", strerror(errno));
    conn_fail(c, why);
  }
}

/* Handshake mode: the connection's one message is answered; close it and open the next. */
static void conn_reconnect(struct conn *c, uint64_t now) {
  tls_close(c, 1);
  close(c->fd); /* also removes it from the epoll set */
  open_conns--;
  c->open = 0;
  conn_connect(c, now);
}

/* The TCP connection is up: either the TLS handshake or the messages start. */
static void conn_ready(struct conn *c, uint64_t now) {
  if (opt.tls && !c->ssl) {
    if (tls_start(c) < 0 || c->handshaking) return;
  }
  /* handshake mode: one message per connection. */
  if (opt.mode == MODE_HANDSHAKE) c->limit = c->sent + 1;
  if (opt.mode == MODE_WS) {
    /* The upgrade goes first and alone; messages follow its 101 (parse_ws). */
    c->out_len = ws_upgrade_request(c->out, out_cap);
    c->upgrading = 1;
    flush(c);
    return;
  }
  refill(c, now);
}

static void setup(void) {
  int n = snprintf(http_request, sizeof http_request, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", opt.path);
  if (n < 0 || (size_t)n >= sizeof http_request) die("loadgen: --path too long");
  http_request_len = (size_t)n;

  make_pattern();
  if (opt.tls) tls_init();

  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons((uint16_t)opt.port);
  if (inet_pton(AF_INET, opt.host, &server_addr.sin_addr) != 1) die("loadgen: --host must be an IPv4 address");

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die_errno("epoll_create1");
  conns = calloc((size_t)opt.conns, sizeof *conns);
  if (!conns) die("out of memory");
  out_cap = (size_t)opt.depth * max_message_len();
  /* The upgrade request is written into the same buffer before any message. */
  if (opt.mode == MODE_WS && out_cap < 1024) out_cap = 1024;
  /* Room for a whole reply plus the next one's start; HTTP heads must fit in 64 KiB. */
  size_t in_cap = opt.mode == MODE_ECHO || opt.mode == MODE_HANDSHAKE ? 0 : 2 * (opt.size + 64) > 65536 ? 2 * (opt.size + 64) : 65536;
  for (int i = 0; i < opt.conns; i++) {
    struct conn *c = &conns[i];
    c->id = i;
    c->limit = UINT64_MAX;
    c->stamps = calloc((size_t)opt.depth, sizeof *c->stamps);
    c->out = malloc(out_cap);
    c->in_cap = in_cap;
    c->in = in_cap ? malloc(in_cap) : NULL;
    if (!c->stamps || !c->out || (in_cap && !c->in)) die("out of memory");
    conn_connect(c, now_ns());
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
  set_interest(c, 0);
  conn_ready(c, now);
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
      if (c->handshaking) {
        if (tls_handshake(c) == 1) conn_ready(c, now);
        continue;
      }
      if (events[i].events & EPOLLOUT) flush(c);
      if (c->open && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c, now);
      if (opt.mode == MODE_HANDSHAKE && c->open && c->sent == c->limit && c->done == c->sent) conn_reconnect(c, now);
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
  /* Handshake mode reconnects all the time: a connect still going at the end is the next one. */
  for (int i = 0; i < opt.conns && opt.mode != MODE_HANDSHAKE; i++) {
    if (conns[i].open && conns[i].connecting) note_error(&conns[i], "connect: not established by the end of the run");
  }
  fflush(stderr);
  if (!ever_connected) die("loadgen: no connection could be established");

  double seconds = measuring && now > t0 ? (double)(now - t0) / 1e9 : 0;
  double client_cpu = seconds > 0 ? (double)(cpu_ns() - cpu_at_start) / 1e9 / seconds * 100 : 0;
  printf("{\"mode\":\"%s\",\"conns\":%d,\"depth\":%d,\"size\":%zu,\"messages\":%" PRIu64
         ",\"seconds\":%.3f,\"rate\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"errors\":%" PRIu64
         ",\"client_cpu_pct\":%.0f,\"tls\":\"%s\"}\n",
         MODE_NAMES[opt.mode], opt.conns, opt.depth, opt.size, messages_counted(), seconds,
         seconds > 0 ? (double)messages_counted() / seconds : 0, hist_percentile_us(0.50), hist_percentile_us(0.99),
         errors_counted(), client_cpu, opt.tls ? tls_cipher() : "");
  return 0;
}
