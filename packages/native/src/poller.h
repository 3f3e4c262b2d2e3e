// The readiness poller: the only part of the reactor that differs between operating systems.
//
// One implementation per mechanism, chosen in binding.gyp: poller_epoll.cc (Linux) and
// poller_kqueue.cc (macOS, FreeBSD). Both are level-triggered, so a socket whose read the
// reactor's budget cut short is reported again on the next wait instead of being forgotten.
// On Linux, Open(Backend::kIoUring) runs the same contract on io_uring instead (uring_poller.h),
// chosen at run time; poller_epoll.cc hands every call to it then.
#pragma once

#include <cstdint>

#include "backend.h"

namespace nevio {

class UringPoller;

enum PollMask : uint32_t {
  kPollNone = 0,
  kPollRead = 1u << 0,
  kPollWrite = 1u << 1,
  // Reported only: the peer hung up or the socket has a pending error. A read or write on it
  // tells which, so the reactor treats it as "readable".
  kPollHangup = 1u << 2,
};

struct PollEvent {
  // The descriptor, or kWakeFd when another thread called Poller::Wake.
  int fd;
  uint32_t mask;
};

constexpr int kWakeFd = -1;

// The most events one Wait reports: the reactor's per-round batch. Level-triggered polling
// brings back whatever did not fit, and a fixed array keeps the wait free of allocation.
constexpr int kPollBatch = 1024;

class Poller {
 public:
  Poller() = default;
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  ~Poller();

  // Each call returns 0 or -errno; `FailedCall()` names the system call that failed.
  // Backend::kEpoll is this OS's readiness poller (epoll or kqueue); kIoUring exists on Linux
  // builds with liburing only (elsewhere Open fails with ENOSYS).
  int Open(Backend backend = Backend::kEpoll);
  Backend backend() const { return uring_ != nullptr ? Backend::kIoUring : Backend::kEpoll; }
  // A descriptor that becomes readable when Wait would return events: libuv polls it so the
  // reactor runs inside Node's event loop.
  int Fd() const;
  int Add(int fd, uint32_t mask);
  // kqueue registers one filter per direction, so it needs to know which ones change.
  int Modify(int fd, uint32_t old_mask, uint32_t new_mask);
  int Remove(int fd, uint32_t old_mask);
  // Fills at most `max` (≤ kPollBatch) events; never blocks when `timeout_ms` is 0. Returns the count or -errno.
  int Wait(PollEvent* events, int max, int timeout_ms);
  // The reactor handled what Wait reported: io_uring re-arms it and submits the round's
  // changes in one io_uring_enter; nothing to do for epoll and kqueue.
  int EndRound();
  // Thread-safe: makes the next Wait report a kWakeFd event.
  int Wake();
  const char* FailedCall() const;

 private:
  int Fail(const char* call, int err);

  int fd_ = -1;
  int wake_fd_ = -1;  // epoll: an eventfd; kqueue uses an EVFILT_USER event and leaves this -1
  const char* failed_call_ = "";
  UringPoller* uring_ = nullptr;  // owned; set when Open chose io_uring
};

}  // namespace nevio
