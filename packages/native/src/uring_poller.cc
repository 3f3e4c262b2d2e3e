// io_uring readiness: one one-shot poll per descriptor, re-armed once per round (uring_poller.h).
#include "uring_poller.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace nevio {

namespace {

// Tags that are not a descriptor: the wake eventfd's poll, and the completions of poll removals
// (their outcome is the cancelled poll's own completion, which the generation already ignores).
constexpr uint64_t kWakeTag = UINT64_MAX;
constexpr uint64_t kIgnoreTag = UINT64_MAX - 1;

// 1024 SQEs: a round re-arms at most kPollBatch descriptors; a longer run of changes just
// submits early (Sqe). The CQ gets four times that, so completions of 4096 watched descriptors
// fit before the kernel has to keep them on its overflow list.
constexpr unsigned kRingEntries = 1024;
constexpr unsigned kCqEntries = 4 * kRingEntries;

uint64_t Tag(int fd, uint32_t generation) { return (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(fd); }

unsigned ToPoll(uint32_t mask) {
  unsigned events = 0;
  if (mask & kPollRead) events |= POLLIN;
  if (mask & kPollWrite) events |= POLLOUT;
  return events;
}

}  // namespace

UringPoller::~UringPoller() {
  if (open_) io_uring_queue_exit(&ring_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

int UringPoller::Fail(const char* call, int err) {
  failed_call_ = call;
  return err;
}

int UringPoller::Open() {
  io_uring_params params{};
  params.flags = IORING_SETUP_CQSIZE;
  params.cq_entries = kCqEntries;
  int rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
  if (rc < 0) return Fail("io_uring_setup", rc);
  open_ = true;
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Fail("eventfd", -errno);
  rc = ArmWake();
  if (rc < 0) return rc;
  return SubmitUnlessInRound();
}

UringPoller::Watch& UringPoller::At(int fd) {
  if (static_cast<size_t>(fd) >= watches_.size()) watches_.resize(fd + 1);
  return watches_[fd];
}

io_uring_sqe* UringPoller::Sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe != nullptr) return sqe;
  // The SQ is full: hand it to the kernel and take a fresh slot.
  int rc = io_uring_submit(&ring_);
  if (rc < 0) {
    Fail("io_uring_enter", rc);
    return nullptr;
  }
  return io_uring_get_sqe(&ring_);
}

int UringPoller::SubmitUnlessInRound() {
  if (in_round_ || io_uring_sq_ready(&ring_) == 0) return 0;
  int rc = io_uring_submit(&ring_);
  return rc < 0 ? Fail("io_uring_enter", rc) : 0;
}

int UringPoller::Arm(int fd, Watch& w) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  io_uring_prep_poll_add(sqe, fd, ToPoll(w.mask));
  io_uring_sqe_set_data64(sqe, Tag(fd, w.generation));
  w.armed = true;
  return 0;
}

int UringPoller::Cancel(Watch& w, int fd) {
  if (!w.armed) return 0;
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  io_uring_prep_poll_remove(sqe, Tag(fd, w.generation));
  io_uring_sqe_set_data64(sqe, kIgnoreTag);
  w.armed = false;
  w.generation++;
  return 0;
}

int UringPoller::ArmWake() {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  io_uring_prep_poll_add(sqe, wake_fd_, POLLIN);
  io_uring_sqe_set_data64(sqe, kWakeTag);
  wake_armed_ = true;
  return 0;
}

int UringPoller::Add(int fd, uint32_t mask) {
  Watch& w = At(fd);
  if (w.registered) return Fail("io_uring poll_add", -EEXIST);
  w.registered = true;
  w.mask = mask;
  w.generation++;
  if (mask != 0) {
    int rc = Arm(fd, w);
    if (rc < 0) return rc;
  }
  return SubmitUnlessInRound();
}

int UringPoller::Modify(int fd, uint32_t mask) {
  Watch& w = At(fd);
  if (!w.registered) return Fail("io_uring poll_add", -ENOENT);
  if (w.mask == mask) return 0;
  w.mask = mask;
  // A poll that already completed this round is re-armed by EndRound with the new mask; one
  // still waiting is replaced.
  if (w.armed) {
    int rc = Cancel(w, fd);
    if (rc < 0) return rc;
  }
  if (mask != 0 && !in_round_) {
    int rc = Arm(fd, w);
    if (rc < 0) return rc;
  } else if (mask != 0) {
    reported_.push_back(fd);
  }
  return SubmitUnlessInRound();
}

int UringPoller::Remove(int fd) {
  Watch& w = At(fd);
  if (!w.registered) return Fail("io_uring poll_remove", -ENOENT);
  int rc = Cancel(w, fd);
  if (rc < 0) return rc;
  w.registered = false;
  w.mask = 0;
  w.generation++;
  return SubmitUnlessInRound();
}

int UringPoller::Wait(PollEvent* events, int max) {
  in_round_ = true;
  if (io_uring_sq_ready(&ring_) > 0) {
    int rc = io_uring_submit(&ring_);
    if (rc < 0) return Fail("io_uring_enter", rc);
  }
  int count = 0;
  unsigned head;
  unsigned seen = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    if (count == max) break;
    seen++;
    uint64_t tag = io_uring_cqe_get_data64(cqe);
    if (tag == kIgnoreTag) continue;
    if (tag == kWakeTag) {
      uint64_t value;
      // Draining resets the eventfd; EAGAIN means a wake-up was drained already, which is fine.
      while (read(wake_fd_, &value, sizeof value) < 0 && errno == EINTR) {
      }
      wake_armed_ = false;
      events[count++] = {kWakeFd, kPollRead};
      continue;
    }
    int fd = static_cast<int>(tag & UINT32_MAX);
    uint32_t generation = static_cast<uint32_t>(tag >> 32);
    if (static_cast<size_t>(fd) >= watches_.size()) continue;
    Watch& w = watches_[fd];
    if (!w.registered || !w.armed || w.generation != generation) continue;  // cancelled or replaced
    w.armed = false;
    reported_.push_back(fd);
    uint32_t mask = 0;
    if (cqe->res < 0) {
      // The poll itself failed (the descriptor is not pollable any more): a read or write on it
      // names the error, as after EPOLLERR.
      mask = kPollHangup;
    } else {
      unsigned revents = static_cast<unsigned>(cqe->res);
      if (revents & POLLIN) mask |= kPollRead;
      if (revents & POLLOUT) mask |= kPollWrite;
      if (revents & (POLLHUP | POLLERR)) mask |= kPollHangup;
    }
    events[count++] = {fd, mask};
  }
  io_uring_cq_advance(&ring_, seen);
  return count;
}

int UringPoller::EndRound() {
  int rc = 0;
  for (int fd : reported_) {
    Watch& w = watches_[fd];
    if (w.registered && !w.armed && w.mask != 0 && rc == 0) rc = Arm(fd, w);
  }
  reported_.clear();
  if (!wake_armed_ && rc == 0) rc = ArmWake();
  in_round_ = false;
  if (rc < 0) return rc;
  return SubmitUnlessInRound();
}

int UringPoller::Wake() {
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
