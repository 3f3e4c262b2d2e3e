// The dialer over real loopback sockets: a dial that connects opens as an outbound connection
// and carries bytes both ways; one to a closed port or a missing unix socket fails with the
// connect's errno; one that stays in progress (a listener whose accept queue is full drops the
// SYN) waits until the host's timeout aborts it with ETIMEDOUT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "check.h"
#include "reactor.h"
#include "rig.h"

using namespace nevio;

namespace {

// A blocking TCP listener on 127.0.0.1 with a port of the kernel's choosing.
struct Listener {
  int fd = -1;
  int port = 0;
  explicit Listener(int backlog) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) check::Fail(__FILE__, __LINE__, "socket");
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
      check::Fail(__FILE__, __LINE__, "bind/listen");
    port = ntohs(sa.sin_port);
  }
  ~Listener() { close(fd); }
};

// Rounds until a record of `kind` for `id` comes, or `ms` pass; the record, or kind 0.
Record WaitFor(Rig* rig, int32_t id, int32_t kind, int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  size_t seen = rig->recorder.batches.size();
  while (std::chrono::steady_clock::now() < deadline) {
    rig->reactor->RunOnce();
    for (; seen < rig->recorder.batches.size(); seen++) {
      for (const Record& r : rig->recorder.batches[seen]) {
        if (r.id == id && r.kind == kind) return r;
      }
    }
    poll(nullptr, 0, 1);
  }
  return Record{};
}

// A dial whose connect either failed at once (the errno) or is in progress (0, *id set).
int StartDial(Rig* rig, const DialSpec& spec, int32_t* id) {
  const char* failed = "";
  int32_t rc = rig->reactor->Dial(spec, &failed);
  if (rc >= 0) {
    *id = rc;
    return 0;
  }
  CHECK_EQ(std::string(failed), std::string("connect"));
  return -rc;
}

// The errno a failed dial ends with: at once, or in its close record (from connect).
int DialFailure(Rig* rig, const DialSpec& spec) {
  int32_t id = -1;
  int err = StartDial(rig, spec, &id);
  if (err != 0) return err;
  Record closed = WaitFor(rig, id, kRecordClosed, 2000);
  CHECK_EQ(closed.kind, kRecordClosed);
  CHECK_EQ(closed.b, kCallConnect);
  return closed.a;
}

}  // namespace

TEST(dial_that_connects_opens_as_outbound_and_carries_bytes_both_ways) {
  Rig rig;
  Listener server(16);
  int32_t id = -1;
  CHECK_EQ(StartDial(&rig, {"127.0.0.1", server.port, ""}, &id), 0);
  CHECK(id >= 0);
  Record open = WaitFor(&rig, id, kRecordOpen, 2000);
  CHECK_EQ(open.kind, kRecordOpen);
  CHECK_EQ(open.a, kOutbound);
  int peer = accept(server.fd, nullptr, nullptr);
  CHECK(peer >= 0);

  rig.StageWrite(id, "ping");
  rig.Apply();
  char got[16] = {};
  CHECK_EQ(recv(peer, got, sizeof got, 0), 4);
  CHECK_EQ(std::string(got, 4), std::string("ping"));

  CHECK_EQ(send(peer, "pong", 4, MSG_NOSIGNAL), 4);
  Record data = WaitFor(&rig, id, kRecordData, 2000);
  CHECK_EQ(data.kind, kRecordData);
  CHECK_EQ(std::string(reinterpret_cast<const char*>(rig.read_buffer.data() + data.a), static_cast<size_t>(data.b)), std::string("pong"));
  // Connected: the host's timeout has nothing left to abort.
  CHECK(!rig.reactor->Abort(id, ETIMEDOUT));
  close(peer);
}

TEST(dial_to_a_closed_port_fails_with_econnrefused) {
  Rig rig;
  int port;
  {
    Listener gone(1);  // a port that was free a moment ago, closed again
    port = gone.port;
  }
  CHECK_EQ(DialFailure(&rig, {"127.0.0.1", port, ""}), ECONNREFUSED);
}

TEST(dial_to_a_missing_unix_socket_fails_with_enoent) {
  Rig rig;
  CHECK_EQ(DialFailure(&rig, {"", 0, "/nonexistent-nevio-dialer-test/s.sock"}), ENOENT);
}

TEST(dial_in_progress_waits_and_the_timeout_aborts_it_with_etimedout) {
  Rig rig;
  // Backlog 0 holds one connection in the accept queue; with it taken, the kernel drops the
  // dial's SYN (and its retries, for about a minute), so the connect stays in progress.
  Listener server(0);
  int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(server.port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK_EQ(connect(filler, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);

  int32_t id = -1;
  CHECK_EQ(StartDial(&rig, {"127.0.0.1", server.port, ""}, &id), 0);
  // 200 ms of rounds: neither open nor closed.
  CHECK_EQ(WaitFor(&rig, id, kRecordOpen, 200).kind, 0);
  for (const auto& batch : rig.recorder.batches) {
    for (const Record& r : batch) CHECK(r.id != id);
  }
  CHECK(rig.reactor->Abort(id, ETIMEDOUT));
  Record closed = WaitFor(&rig, id, kRecordClosed, 2000);
  CHECK_EQ(closed.kind, kRecordClosed);
  CHECK_EQ(closed.a, ETIMEDOUT);
  CHECK_EQ(closed.b, kCallConnect);
  CHECK(!rig.reactor->Abort(id, ETIMEDOUT));  // gone: a second timeout is a no-op
  close(filler);
}

TEST(dial_after_stop_is_refused_with_ecanceled) {
  Rig rig;
  Listener server(4);
  rig.reactor->Stop();
  int32_t id = -1;
  CHECK_EQ(StartDial(&rig, {"127.0.0.1", server.port, ""}, &id), ECANCELED);
}
