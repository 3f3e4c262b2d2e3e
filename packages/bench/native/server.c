#define _GNU_SOURCE
#include "server.h"

#include "common.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
  int fd;
  int epfd;
  int dead;
  int waiting_out; /* EPOLLOUT armed, EPOLLIN paused until the queue drains */
  struct tail pending;
  struct tail in;
};

struct tail *conn_tail(struct conn *c) { return &c->in; }

void conn_close(struct conn *c) { c->dead = 1; }

void tail_append(struct tail *t, const char *data, size_t n) {
  if (t->len + n > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + n) cap *= 2;
    char *p = realloc(t->buf, cap);
    if (!p) die("out of memory");
    t->buf = p;
    t->cap = cap;
  }
  memcpy(t->buf + t->len, data, n);
  t->len += n;
}

static void set_interest(struct conn *c, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die_errno("epoll_ctl(MOD)");
}

/* Writes as much of data as the socket takes; returns how much was written, or marks the
 * connection dead when the peer is gone. */
static size_t write_some(struct conn *c, const char *data, size_t n) {
  size_t done = 0;
  while (done < n) {
    /* MSG_NOSIGNAL: a peer that vanished must cost an EPIPE, not the process. */
    ssize_t w = send(c->fd, data + done, n - done, MSG_NOSIGNAL);
    if (w >= 0) {
      done += (size_t)w;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) c->dead = 1; /* EPIPE, ECONNRESET, ... */
    break;
  }
  return done;
}

void conn_send(struct conn *c, const char *data, size_t n) {
  if (c->dead) return;
  if (c->waiting_out) {
    tail_append(&c->pending, data, n);
    return;
  }
  size_t w = write_some(c, data, n);
  if (c->dead || w == n) return;
  tail_append(&c->pending, data + w, n - w);
  c->waiting_out = 1;
  set_interest(c, EPOLLOUT);
}

static void on_writable(struct conn *c) {
  size_t w = write_some(c, c->pending.buf, c->pending.len);
  if (c->dead) return;
  memmove(c->pending.buf, c->pending.buf + w, c->pending.len - w);
  c->pending.len -= w;
  if (c->pending.len == 0) {
    c->waiting_out = 0;
    set_interest(c, EPOLLIN);
  }
}

static void on_readable(struct conn *c, on_data_fn on_data) {
  static char buf[65536];
  for (;;) {
    ssize_t r = read(c->fd, buf, sizeof buf);
    if (r > 0) {
      on_data(c, buf, (size_t)r);
      return; /* level-triggered: epoll reports the rest, and a lone read saves the EAGAIN call */
    }
    if (r == 0) {
      c->dead = 1;
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) c->dead = 1;
    return;
  }
}

static void close_conn(struct conn *c) {
  /* close() also removes the fd from the epoll set: it is never dup'ed. */
  close(c->fd);
  free(c->pending.buf);
  free(c->in.buf);
  free(c);
}

/* Out of descriptors, a level-triggered listener would wake the loop forever; instead it
 * leaves the epoll set until a connection closes and frees one. */
static int accept_paused;

static void watch_listener(int lfd, int epfd, int on) {
  /* The listener's data.ptr is NULL, which tells it apart from connections. */
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, lfd, &ev) < 0) die_errno("epoll_ctl(listener)");
  accept_paused = !on;
}

static void accept_all(int lfd, int epfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        perror("accept4 (pausing accepts until a connection closes)");
        watch_listener(lfd, epfd, 0);
        return;
      }
      die_errno("accept4");
    }
    if (set_nodelay(fd) < 0) {
      close(fd);
      continue;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c) die("out of memory");
    c->fd = fd;
    c->epfd = epfd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die_errno("epoll_ctl(ADD)");
  }
}

int server_main(int argc, char **argv, const char *name, on_data_fn on_data) {
  int port = -1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = parse_port(argv[++i]);
    } else {
      fprintf(stderr, "usage: %s --port P\n", argv[0]);
      return 2;
    }
  }
  if (port < 0) {
    fprintf(stderr, "usage: %s --port P\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  /* The memory benchmark holds 10,000 connections open. */
  raise_nofile(16384);
  int bound;
  int lfd = listen_loopback(port, &bound);
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die_errno("epoll_create1");
  watch_listener(lfd, epfd, 1);
  printf("%s listening on 127.0.0.1:%d\n", name, bound);
  fflush(stdout);

  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epfd, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die_errno("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (!c) {
        accept_all(lfd, epfd);
        continue;
      }
      uint32_t ev = events[i].events;
      if (ev & EPOLLOUT) on_writable(c);
      else if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, on_data);
      if (c->dead) {
        close_conn(c);
        if (accept_paused) watch_listener(lfd, epfd, 1);
      }
    }
  }
}
