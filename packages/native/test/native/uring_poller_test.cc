// The io_uring poller against the contract the reactor relies on (poller.h): level-triggered
// reports, interest changes, removal with the descriptor number reused, cross-thread wake-ups,
// and a ring descriptor that turns readable for libuv. Over real socket pairs; skipped (each
// test passes trivially with a note) where io_uring is unavailable, which UringUnavailable says.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "check.h"
#include "poller.h"

namespace nevio {
namespace {

bool Skipped() {
  static const std::string why = UringUnavailable();
  if (!why.empty()) std::printf("  (io_uring unavailable: %s)\n", why.c_str());
  return !why.empty();
}

struct Pair {
  int ours = -1;
  int theirs = -1;
  Pair() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) check::Fail(__FILE__, __LINE__, "socketpair");
    ours = sv[0];
    theirs = sv[1];
  }
  ~Pair() {
    if (ours >= 0) close(ours);
    if (theirs >= 0) close(theirs);
  }
};

void Send(int fd, const char* text) { CHECK_EQ(write(fd, text, strlen(text)), static_cast<ssize_t>(strlen(text))); }

// One round as the reactor runs it: Wait, then EndRound. Returns the mask reported for `fd`
// (kPollNone if it was not reported) and counts wake-ups.
uint32_t Round(Poller& poller, int fd, int* wakes = nullptr) {
  PollEvent events[kPollBatch];
  int n = poller.Wait(events, kPollBatch, 0);
  CHECK(n >= 0);
  uint32_t mask = kPollNone;
  for (int i = 0; i < n; i++) {
    if (events[i].fd == fd) mask |= events[i].mask;
    if (events[i].fd == kWakeFd && wakes != nullptr) (*wakes)++;
  }
  CHECK_EQ(poller.EndRound(), 0);
  return mask;
}

bool RingReadable(Poller& poller, int timeout_ms) {
  pollfd p = {poller.Fd(), POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

Poller* OpenUring() {
  auto* poller = new Poller();
  CHECK_EQ(poller->Open(Backend::kIoUring), 0);
  CHECK(poller->backend() == Backend::kIoUring);
  return poller;
}

}  // namespace

TEST(uring_unread_input_is_reported_again_next_round_as_epoll_does) {
  if (Skipped()) return;
  std::unique_ptr<Poller> poller(OpenUring());
  Pair pair;
  CHECK_EQ(poller->Add(pair.ours, kPollRead), 0);
  CHECK_EQ(Round(*poller, pair.ours), static_cast<uint32_t>(kPollNone));
  Send(pair.theirs, "hello");
  CHECK(RingReadable(*poller, 1000));
  CHECK(Round(*poller, pair.ours) & kPollRead);
  // Not read: a level-triggered poller reports it again, without the peer sending more.
  CHECK(RingReadable(*poller, 1000));
  // This time the round reads it all, as the reactor does before EndRound re-arms the poll.
  PollEvent events[kPollBatch];
  CHECK(poller->Wait(events, kPollBatch, 0) >= 1);
  char buffer[16];
  CHECK_EQ(read(pair.ours, buffer, sizeof buffer), 5);
  CHECK_EQ(poller->EndRound(), 0);
  CHECK(!RingReadable(*poller, 50));
  CHECK_EQ(Round(*poller, pair.ours), static_cast<uint32_t>(kPollNone));
}

TEST(uring_write_interest_comes_and_goes_with_modify) {
  if (Skipped()) return;
  std::unique_ptr<Poller> poller(OpenUring());
  Pair pair;
  CHECK_EQ(poller->Add(pair.ours, kPollRead), 0);
  CHECK_EQ(poller->Modify(pair.ours, kPollRead, kPollRead | kPollWrite), 0);
  CHECK(RingReadable(*poller, 1000));
  CHECK(Round(*poller, pair.ours) & kPollWrite);
  // Changed while the poll had completed (in the round): EndRound re-arms with the new mask.
  PollEvent events[kPollBatch];
  CHECK(poller->Wait(events, kPollBatch, 0) >= 1);
  CHECK_EQ(poller->Modify(pair.ours, kPollRead | kPollWrite, kPollRead), 0);
  CHECK_EQ(poller->EndRound(), 0);
  CHECK(!RingReadable(*poller, 50));
  CHECK_EQ(Round(*poller, pair.ours), static_cast<uint32_t>(kPollNone));
  // Changed between rounds, while the poll waits: it is replaced at once.
  CHECK_EQ(poller->Modify(pair.ours, kPollRead, kPollWrite), 0);
  CHECK(RingReadable(*poller, 1000));
  CHECK_EQ(Round(*poller, pair.ours), static_cast<uint32_t>(kPollWrite));
  // No interest at all: nothing is armed, nothing reported. (The poll EndRound re-armed for
  // writing may have completed before the cancel: its stale completion can wake the loop once,
  // and reports nothing.)
  CHECK_EQ(poller->Modify(pair.ours, kPollWrite, kPollNone), 0);
  Send(pair.theirs, "x");
  CHECK_EQ(Round(*poller, pair.ours), static_cast<uint32_t>(kPollNone));
  CHECK(!RingReadable(*poller, 50));
}

TEST(uring_a_removed_descriptor_reused_by_a_new_socket_reports_only_the_new_one) {
  if (Skipped()) return;
  std::unique_ptr<Poller> poller(OpenUring());
  auto first = std::make_unique<Pair>();
  int number = first->ours;
  CHECK_EQ(poller->Add(number, kPollRead), 0);
  CHECK_EQ(poller->Remove(number, kPollRead), 0);
  first.reset();
  Pair second;  // takes the lowest free numbers again
  CHECK(second.ours == number || second.theirs == number);
  int ours = second.ours == number ? second.ours : second.theirs;
  int theirs = ours == second.ours ? second.theirs : second.ours;
  CHECK_EQ(poller->Add(ours, kPollRead), 0);
  CHECK_EQ(Round(*poller, ours), static_cast<uint32_t>(kPollNone));  // the old poll's cancel is ignored
  Send(theirs, "new");
  CHECK(RingReadable(*poller, 1000));
  CHECK(Round(*poller, ours) & kPollRead);
  CHECK_EQ(poller->Add(ours, kPollRead), -EEXIST);
}

TEST(uring_a_peer_reset_is_reported_as_readable_or_hangup) {
  if (Skipped()) return;
  std::unique_ptr<Poller> poller(OpenUring());
  Pair pair;
  CHECK_EQ(poller->Add(pair.ours, kPollRead), 0);
  close(pair.theirs);
  pair.theirs = -1;
  CHECK(RingReadable(*poller, 1000));
  uint32_t mask = Round(*poller, pair.ours);
  CHECK(mask & (kPollRead | kPollHangup));
  char buffer[4];
  CHECK_EQ(read(pair.ours, buffer, sizeof buffer), 0);
}

TEST(uring_wake_from_another_thread_is_reported_once_per_drain) {
  if (Skipped()) return;
  std::unique_ptr<Poller> poller(OpenUring());
  std::thread other([&] {
    CHECK_EQ(poller->Wake(), 0);
    CHECK_EQ(poller->Wake(), 0);
  });
  other.join();
  CHECK(RingReadable(*poller, 1000));
  int wakes = 0;
  Round(*poller, -2, &wakes);
  CHECK_EQ(wakes, 1);
  Round(*poller, -2, &wakes);
  CHECK_EQ(wakes, 1);
  // Re-armed by EndRound: the next wake-up is seen too.
  CHECK_EQ(poller->Wake(), 0);
  CHECK(RingReadable(*poller, 1000));
  Round(*poller, -2, &wakes);
  CHECK_EQ(wakes, 2);
}

TEST(uring_a_full_batch_leaves_the_rest_for_the_next_wait) {
  if (Skipped()) return;
  std::unique_ptr<Poller> poller(OpenUring());
  Pair a, b, c;
  for (Pair* p : {&a, &b, &c}) {
    CHECK_EQ(poller->Add(p->ours, kPollRead), 0);
    Send(p->theirs, "z");
  }
  CHECK(RingReadable(*poller, 1000));
  PollEvent events[2];
  CHECK_EQ(poller->Wait(events, 2, 0), 2);
  CHECK_EQ(poller->EndRound(), 0);
  // The third completion is still in the CQ, so libuv still sees the ring readable.
  CHECK(RingReadable(*poller, 0));
  CHECK(poller->Wait(events, 2, 0) >= 1);
  CHECK_EQ(poller->EndRound(), 0);
}

TEST(uring_without_io_uring_the_forced_backend_fails_with_the_reason) {
  // Everywhere: either the probe finds io_uring and the ring opens, or it names why not and
  // opening fails with an errno.
  Poller poller;
  std::string why = UringUnavailable();
  int rc = poller.Open(Backend::kIoUring);
  if (why.empty()) {
    CHECK_EQ(rc, 0);
  } else {
    CHECK(rc < 0);
    CHECK(std::string(poller.FailedCall()).find("io_uring") != std::string::npos);
  }
}

}  // namespace nevio
