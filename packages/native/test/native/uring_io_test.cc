// The completion operations stage 2 of the io_uring backend is built from (src/uring_io.h),
// over real sockets: multishot accept, multishot receive into a provided-buffer ring with
// exhaustion and re-arm, a partial send on a full socket, a peer's reset, and a close with
// operations in flight. Compiled only with liburing (binding.gyp); each test returns early,
// saying why, where io_uring is unavailable.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "backend.h"
#include "check.h"
#include "uring_io.h"

namespace nevio {
namespace {

bool Unavailable() {
  static const std::string why = UringUnavailable();
  if (!why.empty()) std::printf("  (io_uring unavailable: %s)\n", why.c_str());
  return !why.empty();
}

int Listener(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  CHECK_EQ(listen(fd, 16), 0);
  socklen_t length = sizeof a;
  CHECK_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  CHECK_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void Pair(int* ours, int* theirs) {
  int sv[2];
  CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  *ours = sv[0];
  *theirs = sv[1];
}

// Submits what is queued, then collects completions until `want` arrived or 2 s passed.
std::vector<UringCompletion> Collect(UringIo& io, size_t want) {
  std::vector<UringCompletion> got;
  CHECK_EQ(io.Submit(), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    pollfd p = {io.Fd(), POLLIN, 0};
    ::poll(&p, 1, 20);
    UringCompletion batch[16];
    int n = io.Reap(batch, 16);
    got.insert(got.end(), batch, batch + n);
  }
  return got;
}

}  // namespace

TEST(uring_io_multishot_accept_posts_one_completion_per_connection_and_keeps_going) {
  if (Unavailable()) return;
  UringIo io;
  CHECK_EQ(io.Open(64), 0);
  uint16_t port;
  int listener = Listener(&port);
  CHECK_EQ(io.AcceptMultishot(listener, 7), 0);
  int clients[3] = {Connect(port), Connect(port), Connect(port)};
  std::vector<UringCompletion> got = Collect(io, 3);
  CHECK_EQ(got.size(), static_cast<size_t>(3));
  for (const UringCompletion& c : got) {
    CHECK_EQ(c.tag, static_cast<uint64_t>(7));
    CHECK(c.res >= 0);
    CHECK(c.more());  // still armed: no re-arm per connection
    close(c.res);
  }
  for (int fd : clients) close(fd);
  close(listener);
}

TEST(uring_io_multishot_recv_fills_provided_buffers_ends_with_enobufs_and_resumes_once_they_return) {
  if (Unavailable()) return;
  UringIo io;
  CHECK_EQ(io.Open(64), 0);
  // Two 8-byte buffers over memory the test owns, as the reactor's shared read buffer would be.
  std::vector<uint8_t> memory(2 * 8);
  CHECK_EQ(io.ProvideBuffers(memory.data(), 2, 8), 0);
  int ours, theirs;
  Pair(&ours, &theirs);
  CHECK_EQ(io.RecvMultishot(ours, 1), 0);
  CHECK_EQ(Collect(io, 1).size(), static_cast<size_t>(0));  // nothing sent yet
  const char* text = "0123456789abcdefXYZ";  // 19 bytes: both buffers, then 3 bytes waiting
  CHECK_EQ(write(theirs, text, 19), 19);
  std::vector<UringCompletion> got = Collect(io, 3);
  std::string received;
  std::vector<int> used;
  bool ended = false;
  for (const UringCompletion& c : got) {
    if (c.res == -ENOBUFS) {
      ended = !c.more();
      continue;
    }
    CHECK(c.res > 0);
    CHECK(c.buffer() >= 0);
    received.append(reinterpret_cast<const char*>(io.BufferAt(c.buffer())), static_cast<size_t>(c.res));
    used.push_back(c.buffer());
  }
  CHECK_EQ(received, std::string("0123456789abcdef"));
  CHECK(ended);  // out of buffers: the multishot stopped and must be re-armed
  // The batch is done with its buffers: they go back, and a re-armed receive gets the rest.
  for (int id : used) io.ReturnBuffer(id);
  CHECK_EQ(io.RecvMultishot(ours, 2), 0);
  got = Collect(io, 1);
  CHECK(!got.empty());
  CHECK_EQ(got[0].tag, static_cast<uint64_t>(2));
  CHECK_EQ(got[0].res, 3);
  CHECK(got[0].more());
  CHECK_EQ(std::string(reinterpret_cast<const char*>(io.BufferAt(got[0].buffer())), 3), std::string("XYZ"));
  close(ours);
  close(theirs);
}

TEST(uring_io_a_dont_wait_send_on_a_full_socket_takes_part_and_says_how_much) {
  if (Unavailable()) return;
  UringIo io;
  CHECK_EQ(io.Open(64), 0);
  int ours, theirs;
  Pair(&ours, &theirs);
  int small = 4096;
  CHECK_EQ(setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  std::vector<uint8_t> bytes(4 << 20, 'x');  // far more than the socket buffers hold
  CHECK_EQ(io.Send(ours, bytes.data(), bytes.size(), true, 5), 0);
  std::vector<UringCompletion> got = Collect(io, 1);
  CHECK_EQ(got.size(), static_cast<size_t>(1));
  CHECK(got[0].res > 0);
  CHECK(static_cast<size_t>(got[0].res) < bytes.size());
  // Full now: a second one takes nothing.
  CHECK_EQ(io.Send(ours, bytes.data(), bytes.size(), true, 6), 0);
  got = Collect(io, 1);
  CHECK_EQ(got.size(), static_cast<size_t>(1));
  CHECK_EQ(got[0].res, -EAGAIN);
  close(ours);
  close(theirs);
}

TEST(uring_io_a_peer_reset_ends_the_receive_with_econnreset) {
  if (Unavailable()) return;
  UringIo io;
  CHECK_EQ(io.Open(64), 0);
  std::vector<uint8_t> memory(4 * 64);
  CHECK_EQ(io.ProvideBuffers(memory.data(), 4, 64), 0);
  uint16_t port;
  int listener = Listener(&port);
  int client = Connect(port);
  int server = -1;
  for (int i = 0; i < 100 && server < 0; i++) {
    server = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (server < 0) usleep(10000);
  }
  CHECK(server >= 0);
  CHECK_EQ(io.RecvMultishot(server, 9), 0);
  CHECK_EQ(io.Submit(), 0);
  // SO_LINGER 0: close sends RST instead of FIN.
  linger abort = {1, 0};
  CHECK_EQ(setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, sizeof abort), 0);
  close(client);
  std::vector<UringCompletion> got = Collect(io, 1);
  CHECK_EQ(got.size(), static_cast<size_t>(1));
  CHECK_EQ(got[0].res, -ECONNRESET);
  CHECK(!got[0].more());
  close(server);
  close(listener);
}

TEST(uring_io_closing_with_operations_in_flight_cancels_them_all_first) {
  if (Unavailable()) return;
  UringIo io;
  CHECK_EQ(io.Open(64), 0);
  std::vector<uint8_t> memory(4 * 64);
  CHECK_EQ(io.ProvideBuffers(memory.data(), 4, 64), 0);
  int ours, theirs;
  Pair(&ours, &theirs);
  CHECK_EQ(io.RecvMultishot(ours, 1), 0);
  // A waiting send (not dont_wait) on a full socket stays in flight too.
  int small = 4096;
  CHECK_EQ(setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  std::vector<uint8_t> bytes(4 << 20, 'y');
  // Filled first (a send finding room completes short instead of waiting), then one that waits.
  CHECK_EQ(io.Send(ours, bytes.data(), bytes.size(), true, 4), 0);
  CHECK_EQ(Collect(io, 1).size(), static_cast<size_t>(1));
  CHECK_EQ(io.Send(ours, bytes.data(), bytes.size(), false, 2), 0);
  CHECK_EQ(Collect(io, 1).size(), static_cast<size_t>(0));  // both wait
  CHECK_EQ(io.CancelAll(ours, 3), 0);
  std::vector<UringCompletion> got = Collect(io, 3);
  CHECK_EQ(got.size(), static_cast<size_t>(3));
  bool recv_cancelled = false;
  bool send_ended = false;
  for (const UringCompletion& c : got) {
    if (c.tag == 3) CHECK_EQ(c.res, 2);  // the cancel found both
    if (c.tag == 1) recv_cancelled = c.res == -ECANCELED && !c.more();
    // The send may have moved part of its bytes before the cancel: then it reports those.
    if (c.tag == 2) send_ended = c.res == -ECANCELED || c.res > 0;
  }
  CHECK(recv_cancelled);
  CHECK(send_ended);
  // Nothing refers to the socket any more: closing it now cannot race a completion.
  close(ours);
  CHECK_EQ(send(theirs, "late", 4, MSG_NOSIGNAL), -1);  // the peer sees the close: EPIPE
  CHECK_EQ(errno, EPIPE);
  CHECK_EQ(Collect(io, 1).size(), static_cast<size_t>(0));
  close(theirs);
}

}  // namespace nevio
