#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void die(const char *what) {
  fprintf(stderr, "%s\n", what);
  exit(2);
}

void die_errno(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(2);
}

int parse_port(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 0 || v > 65535) die("--port must be 0..65535");
  return (int)v;
}

int set_nodelay(int fd) {
  int one = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int listen_loopback(int port, int *bound) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die_errno("socket");
  int one = 1;
  /* A benchmark restarts servers on the same port many times; without SO_REUSEADDR the
   * previous run's TIME_WAIT sockets would make bind() fail. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die_errno("setsockopt(SO_REUSEADDR)");
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die_errno("bind");
  if (listen(fd, SOMAXCONN) < 0) die_errno("listen");
  socklen_t len = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) die_errno("getsockname");
  *bound = ntohs(sa.sin_port);
  return fd;
}

uint64_t now_ns(void) {
  struct timespec ts;
  /* CLOCK_MONOTONIC is served from the vDSO: no syscall, so timing every batch is cheap. */
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t append_uint(char *p, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) p[i] = tmp[n - 1 - i];
  return n;
}

void raise_nofile(int needed) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die_errno("getrlimit");
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)needed) return;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)needed) {
    fprintf(stderr, "the hard limit on open files (%lu) is below %d; raise it (ulimit -Hn, or nofile in limits.conf)\n",
            (unsigned long)rl.rlim_max, needed);
    exit(2);
  }
  rl.rlim_cur = (rlim_t)needed;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die_errno("setrlimit(RLIMIT_NOFILE)");
}
