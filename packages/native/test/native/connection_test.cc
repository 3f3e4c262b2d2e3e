// Connection's writes over a real socket pair, its watermarks, and the id table.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "check.h"
#include "connection.h"
#include "poller.h"

using nevio::Connection;
using nevio::ConnectionTable;

namespace {

struct SocketPair {
  int ours = -1;
  int peer = -1;
  SocketPair() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) check::Fail(__FILE__, __LINE__, "socketpair");
    ours = sv[0];
    peer = sv[1];
    // Small buffers, so a write of a few hundred KiB is only partly taken.
    int size = 16 * 1024;
    setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  ~SocketPair() {
    if (peer >= 0) close(peer);
  }
  // Everything readable now.
  void Drain(std::vector<uint8_t>* into) const {
    uint8_t chunk[65536];
    ssize_t n;
    while ((n = read(peer, chunk, sizeof chunk)) > 0) into->insert(into->end(), chunk, chunk + n);
  }
};

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; i++) bytes[i] = static_cast<uint8_t>(seed + i * 13);
  return bytes;
}

}  // namespace

TEST(send_keeps_what_the_kernel_did_not_take_and_flush_delivers_it_in_order) {
  SocketPair pair;
  Connection c(pair.ours, 1, 0);
  std::vector<uint8_t> a = Pattern(100 * 1024, 1), b = Pattern(7, 2), d = Pattern(300 * 1024, 3);
  struct iovec chunks[] = {{a.data(), a.size()}, {b.data(), b.size()}, {d.data(), d.size()}};
  CHECK_EQ(c.Send(chunks, 3), 0);
  size_t total = a.size() + b.size() + d.size();
  // The kernel took part of it, cut somewhere inside a chunk; the rest is queued.
  CHECK(c.out().size() > 0);
  CHECK(c.out().size() < total);

  std::vector<uint8_t> received;
  for (int i = 0; i < 10000 && (!c.out().empty() || received.size() < total); i++) {
    pair.Drain(&received);
    CHECK_EQ(c.FlushPending(), 0);
  }
  pair.Drain(&received);
  CHECK(c.out().empty());
  std::vector<uint8_t> expected(a);
  expected.insert(expected.end(), b.begin(), b.end());
  expected.insert(expected.end(), d.begin(), d.end());
  CHECK_EQ(received.size(), expected.size());
  CHECK(received == expected);
  c.CloseSocket();
}

TEST(send_behind_pending_output_queues_instead_of_overtaking_it) {
  SocketPair pair;
  Connection c(pair.ours, 1, 0);
  std::vector<uint8_t> big = Pattern(400 * 1024, 5), small = Pattern(10, 6);
  struct iovec first = {big.data(), big.size()};
  CHECK_EQ(c.Send(&first, 1), 0);
  size_t pending = c.out().size();
  CHECK(pending > 0);
  struct iovec second = {small.data(), small.size()};
  CHECK_EQ(c.Send(&second, 1), 0);
  CHECK_EQ(c.out().size(), pending + small.size());
  c.CloseSocket();
}

TEST(send_to_a_closed_peer_reports_the_error) {
  SocketPair pair;
  Connection c(pair.ours, 1, 0);
  close(pair.peer);
  pair.peer = -1;
  uint8_t byte = 'x';
  struct iovec chunk = {&byte, 1};
  CHECK_EQ(c.Send(&chunk, 1), -EPIPE);
  c.CloseSocket();
}

TEST(watermarks_pause_above_high_and_report_a_drain_at_low) {
  SocketPair pair;
  Connection c(pair.ours, 1, 0);
  nevio::Watermarks marks = {1000, 100};
  std::vector<uint8_t> bytes = Pattern(1500, 7);
  bool drained = false;
  CHECK_EQ(c.WantedInterest(marks, &drained), static_cast<uint32_t>(nevio::kPollRead));
  c.out().Append(bytes.data(), bytes.size());
  CHECK_EQ(c.WantedInterest(marks, &drained), static_cast<uint32_t>(nevio::kPollWrite));  // paused: no read
  CHECK(c.paused && !drained);
  c.out().Consume(1000);  // 500 left: between the marks, still paused
  CHECK_EQ(c.WantedInterest(marks, &drained), static_cast<uint32_t>(nevio::kPollWrite));
  c.out().Consume(450);  // 50 left
  CHECK_EQ(c.WantedInterest(marks, &drained), static_cast<uint32_t>(nevio::kPollRead | nevio::kPollWrite));
  CHECK(drained && !c.paused);
  c.CloseSocket();
}

TEST(a_reused_slot_gives_a_new_id_and_the_old_id_finds_nothing) {
  ConnectionTable table;
  Connection* first = table.Insert(-1, 0);
  int32_t old_id = first->id();
  uint32_t slot = ConnectionTable::SlotOf(old_id);
  CHECK(table.Find(old_id) == first);
  table.Erase(first);
  CHECK(table.Find(old_id) == nullptr);
  Connection* second = table.Insert(-1, 0);
  CHECK_EQ(ConnectionTable::SlotOf(second->id()), slot);
  CHECK(second->id() != old_id);
  CHECK(second->id() > 0);
  CHECK(table.Find(old_id) == nullptr);
  CHECK(table.Find(second->id()) == second);
  table.Erase(second);
}

TEST(each_slot_counts_its_own_generations_whatever_other_slots_do) {
  ConnectionTable table;
  Connection* held = table.Insert(-1, 0);
  int32_t held_id = held->id();
  // 2047 connections come and go in another slot: one whole turn of a counter shared by all
  // slots would give the held slot's next occupant the held id again.
  for (int i = 0; i < 2047; i++) table.Erase(table.Insert(-1, 0));
  table.Erase(held);
  Connection* next = table.Insert(-1, 0);
  CHECK_EQ(ConnectionTable::SlotOf(next->id()), ConnectionTable::SlotOf(held_id));
  CHECK(next->id() != held_id);
  table.Erase(next);
}
