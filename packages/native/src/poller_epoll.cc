// Linux backend: epoll, level-triggered, plus an eventfd for cross-thread wake-ups. When Open
// chose io_uring, every call goes to the UringPoller instead (one predictable branch per call).
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "poller.h"

#ifdef NEVIO_HAVE_URING
#include "uring_poller.h"
#define NEVIO_ON_URING(call) \
  if (uring_ != nullptr) return uring_->call
#else
#define NEVIO_ON_URING(call)
#endif

namespace nevio {

namespace {

// The wake eventfd is registered with this tag instead of its descriptor number, so a wake-up
// can never be confused with a socket that happens to reuse a number.
constexpr uint64_t kWakeTag = UINT64_MAX;

uint32_t ToEpoll(uint32_t mask) {
  uint32_t events = 0;
  if (mask & kPollRead) events |= EPOLLIN;
  if (mask & kPollWrite) events |= EPOLLOUT;
  return events;
}

int Control(int epfd, int op, int fd, uint32_t mask) {
  epoll_event ev{};
  ev.events = ToEpoll(mask);
  ev.data.u64 = static_cast<uint64_t>(fd);
  return epoll_ctl(epfd, op, fd, &ev) == 0 ? 0 : -errno;
}

}  // namespace

Poller::~Poller() {
#ifdef NEVIO_HAVE_URING
  delete uring_;
#endif
  if (wake_fd_ >= 0) close(wake_fd_);
  if (fd_ >= 0) close(fd_);
}

int Poller::Fail(const char* call, int err) {
  failed_call_ = call;
  return err;
}

int Poller::Open(Backend backend) {
  if (backend == Backend::kIoUring) {
#ifdef NEVIO_HAVE_URING
    uring_ = new UringPoller();
    int rc = uring_->Open();
    if (rc < 0) {
      failed_call_ = uring_->FailedCall();
      delete uring_;
      uring_ = nullptr;
    }
    return rc;
#else
    return Fail("io_uring_setup", -ENOSYS);
#endif
  }
  fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (fd_ < 0) return Fail("epoll_create1", -errno);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Fail("eventfd", -errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (epoll_ctl(fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) return Fail("epoll_ctl", -errno);
  return 0;
}

const char* Poller::FailedCall() const {
  NEVIO_ON_URING(FailedCall());
  return failed_call_;
}

int Poller::Fd() const {
  NEVIO_ON_URING(Fd());
  return fd_;
}

int Poller::Add(int fd, uint32_t mask) {
  NEVIO_ON_URING(Add(fd, mask));
  int rc = Control(fd_, EPOLL_CTL_ADD, fd, mask);
  return rc == 0 ? 0 : Fail("epoll_ctl", rc);
}

int Poller::Modify(int fd, uint32_t old_mask, uint32_t new_mask) {
  if (old_mask == new_mask) return 0;
  NEVIO_ON_URING(Modify(fd, new_mask));
  int rc = Control(fd_, EPOLL_CTL_MOD, fd, new_mask);
  return rc == 0 ? 0 : Fail("epoll_ctl", rc);
}

int Poller::Remove(int fd, uint32_t) {
  NEVIO_ON_URING(Remove(fd));
  int rc = Control(fd_, EPOLL_CTL_DEL, fd, 0);
  return rc == 0 ? 0 : Fail("epoll_ctl", rc);
}

int Poller::Wait(PollEvent* events, int max, int timeout_ms) {
  if (max > kPollBatch) max = kPollBatch;
  // The ring is only reaped: the reactor waits with timeout 0, libuv having seen it readable.
  NEVIO_ON_URING(Wait(events, max));
  epoll_event raw[kPollBatch];
  int n;
  do {
    n = epoll_wait(fd_, raw, max, timeout_ms);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Fail("epoll_wait", -errno);
  for (int i = 0; i < n; i++) {
    if (raw[i].data.u64 == kWakeTag) {
      uint64_t count;
      // Draining resets the eventfd; EAGAIN means another drain got there first, which is fine.
      while (read(wake_fd_, &count, sizeof count) < 0 && errno == EINTR) {
      }
      events[i] = {kWakeFd, kPollRead};
      continue;
    }
    uint32_t mask = 0;
    if (raw[i].events & EPOLLIN) mask |= kPollRead;
    if (raw[i].events & EPOLLOUT) mask |= kPollWrite;
    if (raw[i].events & (EPOLLHUP | EPOLLERR)) mask |= kPollHangup;
    events[i] = {static_cast<int>(raw[i].data.u64), mask};
  }
  return n;
}

int Poller::EndRound() {
  NEVIO_ON_URING(EndRound());
  return 0;
}

int Poller::Wake() {
  NEVIO_ON_URING(Wake());
  uint64_t one = 1;
  ssize_t n;
  do {
    n = write(wake_fd_, &one, sizeof one);
  } while (n < 0 && errno == EINTR);
  // EAGAIN: the counter is saturated, so a wake-up is already pending.
  if (n < 0 && errno != EAGAIN) return Fail("write", -errno);
  return 0;
}

}  // namespace nevio
