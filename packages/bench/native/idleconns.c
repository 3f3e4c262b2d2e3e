/* Opens many connections to a server, makes each one do a single request so the server has
 * really accepted and set it up, then keeps them all open and idle until stdin closes: the
 * runner measures the server's memory meanwhile.
 *
 *   idleconns --port P [--host 127.0.0.1] [--conns 10000] [--probe echo|http|resp|none]
 *             [--timeout 60]
 *
 * stdout: one JSON line when every connection is set up (or has failed), and one more when
 * stdin closes, with how many connections the server closed in between. stderr: "idleconns:
 * ready" at the first line's moment, and the first few error reasons. */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Connections per source address on loopback. One (source, destination, port) tuple has about
 * 28,000 ephemeral ports (32768-60999), and TIME_WAIT sockets from earlier runs hold some of
 * them: spreading over 127.0.0.1, .2, ... keeps any count well inside the range. */
#define PER_SOURCE 5000
/* Connections being set up at once. A server accepts at its own pace; past its backlog the
 * kernel drops SYNs and the client retries only after a second, so flooding it with 10,000
 * connects at once would mostly measure those retries. */
#define IN_FLIGHT 256

enum state { IDLE_NEW, IDLE_CONNECTING, IDLE_PROBING, IDLE_READY, IDLE_DEAD };

struct conn {
  int fd;
  enum state state;
};

static struct {
  const char *host;
  int port;
  int conns;
  const char *probe;
  double timeout;
} opt = {"127.0.0.1", 0, 10000, "echo", 60};

static int epfd;
static struct conn *conns;
static int ready, dead, in_flight, errors_shown;

static void usage(void) {
  die("usage: idleconns --port P [--host 127.0.0.1] [--conns 10000] [--probe echo|http|resp|none] [--timeout 60]");
}

static const char *probe_bytes(size_t *len) {
  static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  static const char resp[] = "*1\r\n$4\r\nPING\r\n";
  if (strcmp(opt.probe, "echo") == 0) return *len = 1, "x";
  if (strcmp(opt.probe, "http") == 0) return *len = sizeof http - 1, http;
  if (strcmp(opt.probe, "resp") == 0) return *len = sizeof resp - 1, resp;
  if (strcmp(opt.probe, "none") == 0) return *len = 0, "";
  usage();
  return NULL;
}

static void fail(struct conn *c, const char *what, int err) {
  if (errors_shown++ < 5) fprintf(stderr, "idleconns: %s: %s\n", what, strerror(err));
  if (c->state == IDLE_CONNECTING || c->state == IDLE_PROBING) in_flight--;
  if (c->state == IDLE_READY) ready--;
  close(c->fd);
  c->state = IDLE_DEAD;
  dead++;
}

static void start(struct conn *c, int i, const struct sockaddr_in *dst, int loopback) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die_errno("socket");
  c->state = IDLE_CONNECTING;
  in_flight++;
  if (loopback) {
    struct sockaddr_in src;
    memset(&src, 0, sizeof src);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)(i / PER_SOURCE));
    int one = 1;
    /* The port is then chosen at connect() for the whole 4-tuple, not reserved at bind(). */
    if (setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0) die_errno("IP_BIND_ADDRESS_NO_PORT");
    if (bind(c->fd, (struct sockaddr *)&src, sizeof src) < 0) die_errno("bind");
  }
  struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die_errno("epoll_ctl(ADD)");
  if (connect(c->fd, (const struct sockaddr *)dst, sizeof *dst) < 0 && errno != EINPROGRESS && errno != EINTR) fail(c, "connect", errno);
}

static void connected(struct conn *c, const char *probe, size_t probe_len) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err) return fail(c, "connect", err);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die_errno("epoll_ctl(MOD)");
  if (probe_len == 0) {
    c->state = IDLE_READY;
    in_flight--;
    ready++;
    return;
  }
  /* A few dozen bytes always fit an empty socket buffer. */
  if (send(c->fd, probe, probe_len, MSG_NOSIGNAL) != (ssize_t)probe_len) return fail(c, "send", errno);
  c->state = IDLE_PROBING;
}

/* Anything the server sends counts as the answer; later bytes of it are read and dropped. A
 * read of 0 or an error means the server closed the connection. */
static void readable(struct conn *c) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      if (c->state == IDLE_PROBING) {
        c->state = IDLE_READY;
        in_flight--;
        ready++;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    return fail(c, "closed by the server", n == 0 ? ECONNRESET : errno);
  }
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage();
    const char *a = argv[i], *v = argv[i + 1];
    if (strcmp(a, "--host") == 0) opt.host = v;
    else if (strcmp(a, "--port") == 0) opt.port = parse_port(v);
    else if (strcmp(a, "--conns") == 0) opt.conns = atoi(v);
    else if (strcmp(a, "--probe") == 0) opt.probe = v;
    else if (strcmp(a, "--timeout") == 0) opt.timeout = atof(v);
    else usage();
  }
  if (opt.port <= 0 || opt.conns <= 0 || opt.conns > 200000 || opt.timeout <= 0) usage();
  signal(SIGPIPE, SIG_IGN);
  size_t probe_len = 0;
  const char *probe = probe_bytes(&probe_len);
  /* Every connection, stdio, the epoll set, and a margin. */
  raise_nofile(opt.conns + 16);

  struct sockaddr_in dst;
  memset(&dst, 0, sizeof dst);
  dst.sin_family = AF_INET;
  dst.sin_port = htons((uint16_t)opt.port);
  if (inet_pton(AF_INET, opt.host, &dst.sin_addr) != 1) die("idleconns: --host must be an IPv4 address");
  int loopback = (ntohl(dst.sin_addr.s_addr) >> 24) == 127;

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die_errno("epoll_create1");
  conns = calloc((size_t)opt.conns, sizeof *conns);
  if (!conns) die("out of memory");

  uint64_t t0 = now_ns();
  uint64_t deadline = t0 + (uint64_t)(opt.timeout * 1e9);
  int next = 0;
  struct epoll_event events[512];
  while (ready + dead < opt.conns && now_ns() < deadline) {
    while (next < opt.conns && in_flight < IN_FLIGHT) {
      start(&conns[next], next, &dst, loopback);
      next++;
    }
    int n = epoll_wait(epfd, events, 512, 100);
    if (n < 0 && errno != EINTR) die_errno("epoll_wait");
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c->state == IDLE_CONNECTING) connected(c, probe, probe_len);
      else if (c->state == IDLE_PROBING || c->state == IDLE_READY) readable(c);
    }
  }
  /* Out of time: what is not set up yet (or never started) counts as failed. */
  for (int i = 0; i < next; i++) {
    struct conn *c = &conns[i];
    if (c->state == IDLE_CONNECTING || c->state == IDLE_PROBING) fail(c, "not set up within --timeout", ETIMEDOUT);
  }
  dead += opt.conns - next;
  printf("{\"conns\":%d,\"open\":%d,\"errors\":%d,\"seconds\":%.3f}\n", opt.conns, ready, dead,
         (double)(now_ns() - t0) / 1e9);
  fflush(stdout);
  fprintf(stderr, "idleconns: ready\n");
  fflush(stderr);

  /* Hold every connection until stdin closes, noting any the server drops meanwhile. */
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev) < 0) die_errno("epoll_ctl(ADD stdin)");
  int dead_at_ready = dead;
  for (;;) {
    int n = epoll_wait(epfd, events, 512, -1);
    if (n < 0 && errno != EINTR) die_errno("epoll_wait");
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c == NULL) {
        char buf[256];
        if (read(0, buf, sizeof buf) > 0) continue;
        printf("{\"closed_by_server\":%d}\n", dead - dead_at_ready);
        return 0;
      }
      if (c->state != IDLE_DEAD) readable(c);
    }
  }
}
