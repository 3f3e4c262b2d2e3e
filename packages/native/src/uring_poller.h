// The io_uring backend of the poller (poller.h): readiness through the ring instead of epoll.
//
// Every watched descriptor has one one-shot IORING_OP_POLL_ADD in the ring. A one-shot poll
// checks readiness when it is armed, so re-arming it after the reactor handled the descriptor
// gives epoll's level-triggered contract (a read the budget cut short is reported again next
// round), which the multishot poll, edge-triggered, would not. Re-arms and interest changes of a
// round are queued as SQEs and submitted together by EndRound: one io_uring_enter per round.
// Changes made outside a round (JavaScript writing or closing between rounds) are submitted at
// once, so a removed descriptor's poll never holds its file open past the call.
//
// The ring's own descriptor is what libuv polls (readable while completions wait in the CQ), so
// Node's loop drives the ring exactly as it drives the epoll descriptor. Cross-thread wake-ups
// are an eventfd watched by a poll of its own, tagged so it cannot be mistaken for a socket.
//
// Completions carry the descriptor and a per-descriptor generation: a poll cancelled by Remove
// or replaced by Modify completes later with an old generation and is ignored, even when the
// descriptor number was reused by then.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <vector>

#include "poller.h"

namespace nevio {

class UringPoller {
 public:
  UringPoller() = default;
  UringPoller(const UringPoller&) = delete;
  UringPoller& operator=(const UringPoller&) = delete;
  ~UringPoller();

  // 0 or -errno; FailedCall names the call.
  int Open();
  int Fd() const { return ring_.ring_fd; }
  int Add(int fd, uint32_t mask);
  int Modify(int fd, uint32_t mask);
  int Remove(int fd);
  // Reaps at most `max` completions as events (never blocks); starts a round.
  int Wait(PollEvent* events, int max);
  // Re-arms what the round reported and submits every queued change; ends the round.
  int EndRound();
  int Wake();
  const char* FailedCall() const { return failed_call_; }

 private:
  struct Watch {
    uint32_t mask = 0;
    uint32_t generation = 0;
    bool registered = false;
    bool armed = false;  // a poll for the current generation is in the ring (or queued for it)
  };
  int Fail(const char* call, int err);
  Watch& At(int fd);
  int Arm(int fd, Watch& w);
  int Cancel(Watch& w, int fd);
  int ArmWake();
  io_uring_sqe* Sqe();
  // Outside a round, queued changes go to the kernel at once.
  int SubmitUnlessInRound();

  io_uring ring_{};
  bool open_ = false;
  bool in_round_ = false;
  int wake_fd_ = -1;
  bool wake_armed_ = false;
  std::vector<Watch> watches_;  // by descriptor
  std::vector<int> reported_;   // descriptors whose poll completed this round: re-armed by EndRound
  const char* failed_call_ = "";
};

}  // namespace nevio
