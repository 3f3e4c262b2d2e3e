// macOS / FreeBSD backend: kqueue, level-triggered (no EV_CLEAR on sockets), with an
// EVFILT_USER event for cross-thread wake-ups.
//
// kqueue keeps one filter per direction. Add registers both filters once (EV_ADD) and leaves
// each enabled or disabled; Modify only flips EV_ENABLE/EV_DISABLE on the directions that
// changed, so the steady state costs no registration churn. Reads and writes on one socket can
// come back as two events in one Wait; the reactor copes with that.
#include <errno.h>
#include <fcntl.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "poller.h"

namespace nevio {

namespace {

// Identifier of the EVFILT_USER event; it lives in its own filter namespace, so it cannot
// collide with a descriptor.
constexpr uintptr_t kWakeIdent = 0;

int Apply(int kq, struct kevent* changes, int count) {
  int rc;
  do {
    rc = kevent(kq, changes, count, nullptr, 0, nullptr);
  } while (rc < 0 && errno == EINTR);
  return rc < 0 ? -errno : 0;
}

}  // namespace

Poller::~Poller() {
  if (fd_ >= 0) close(fd_);
}

int Poller::Fail(const char* call, int err) {
  failed_call_ = call;
  return err;
}

const char* Poller::FailedCall() const { return failed_call_; }

int Poller::Fd() const { return fd_; }

int Poller::EndRound() { return 0; }

int Poller::Open(Backend backend) {
  // io_uring is Linux's; binding.gyp builds uring_poller.cc only there.
  if (backend != Backend::kEpoll) return Fail("io_uring_setup", -ENOSYS);
  fd_ = kqueue();
  if (fd_ < 0) return Fail("kqueue", -errno);
  // kqueue descriptors are not inherited across fork, but exec of a vfork child could still see
  // it; close-on-exec keeps it private like epoll_create1(EPOLL_CLOEXEC) does.
  if (fcntl(fd_, F_SETFD, FD_CLOEXEC) < 0) return Fail("fcntl", -errno);
  struct kevent wake;
  EV_SET(&wake, kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
  int rc = Apply(fd_, &wake, 1);
  return rc == 0 ? 0 : Fail("kevent", rc);
}

int Poller::Add(int fd, uint32_t mask) {
  struct kevent changes[2];
  EV_SET(&changes[0], fd, EVFILT_READ, EV_ADD | ((mask & kPollRead) ? EV_ENABLE : EV_DISABLE), 0, 0,
         nullptr);
  EV_SET(&changes[1], fd, EVFILT_WRITE, EV_ADD | ((mask & kPollWrite) ? EV_ENABLE : EV_DISABLE), 0, 0,
         nullptr);
  int rc = Apply(fd_, changes, 2);
  return rc == 0 ? 0 : Fail("kevent", rc);
}

int Poller::Modify(int fd, uint32_t old_mask, uint32_t new_mask) {
  struct kevent changes[2];
  int count = 0;
  if ((old_mask ^ new_mask) & kPollRead) {
    EV_SET(&changes[count++], fd, EVFILT_READ, (new_mask & kPollRead) ? EV_ENABLE : EV_DISABLE, 0, 0,
           nullptr);
  }
  if ((old_mask ^ new_mask) & kPollWrite) {
    EV_SET(&changes[count++], fd, EVFILT_WRITE, (new_mask & kPollWrite) ? EV_ENABLE : EV_DISABLE, 0,
           0, nullptr);
  }
  if (count == 0) return 0;
  int rc = Apply(fd_, changes, count);
  return rc == 0 ? 0 : Fail("kevent", rc);
}

int Poller::Remove(int fd, uint32_t) {
  // Both filters were added by Add, whatever their enabled state, so both are deleted.
  struct kevent changes[2];
  EV_SET(&changes[0], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  EV_SET(&changes[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  int rc = Apply(fd_, changes, 2);
  // ENOENT: the filter is already gone (the descriptor was closed), which is what we wanted.
  return (rc == 0 || rc == -ENOENT) ? 0 : Fail("kevent", rc);
}

int Poller::Wait(PollEvent* events, int max, int timeout_ms) {
  struct kevent raw[kPollBatch];
  if (max > kPollBatch) max = kPollBatch;
  struct timespec timeout;
  timeout.tv_sec = timeout_ms / 1000;
  timeout.tv_nsec = static_cast<long>(timeout_ms % 1000) * 1000000L;
  int n;
  do {
    n = kevent(fd_, nullptr, 0, raw, max, timeout_ms < 0 ? nullptr : &timeout);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Fail("kevent", -errno);
  for (int i = 0; i < n; i++) {
    if (raw[i].filter == EVFILT_USER) {
      events[i] = {kWakeFd, kPollRead};
      continue;
    }
    uint32_t mask = 0;
    // EV_ERROR in an event list means the registration failed for this descriptor (errno in
    // data); the socket is unusable, and a read/write will report why.
    if (raw[i].flags & EV_ERROR) {
      mask = kPollHangup;
    } else if (raw[i].filter == EVFILT_READ) {
      mask = kPollRead;
    } else if (raw[i].filter == EVFILT_WRITE) {
      mask = kPollWrite;
    }
    if (raw[i].flags & EV_EOF) mask |= kPollHangup;
    events[i] = {static_cast<int>(raw[i].ident), mask};
  }
  return n;
}

int Poller::Wake() {
  struct kevent trigger;
  EV_SET(&trigger, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
  int rc = Apply(fd_, &trigger, 1);
  return rc == 0 ? 0 : Fail("kevent", rc);
}

}  // namespace nevio
