// The round over real sockets: one dispatch per batch, and consecutive write ops for one
// connection leaving in one writev (seen on a SOCK_SEQPACKET pair, where each sendmsg arrives
// as one message).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "reactor.h"
#include "rig.h"

using namespace nevio;

namespace {

// Whether a batch brought a record of this kind.
bool Has(const std::vector<Record>& batch, int32_t kind) {
  for (const Record& r : batch) {
    if (r.kind == kind) return true;
  }
  return false;
}

// One message from a SOCK_SEQPACKET socket, or "" when none is waiting.
std::string Receive(int fd) {
  char buffer[4096];
  ssize_t n = recv(fd, buffer, sizeof buffer, 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST(consecutive_writes_to_one_connection_leave_in_one_writev) {
  Rig rig;
  int32_t id;
  int peer = rig.Adopt(SOCK_SEQPACKET, &id);
  rig.StageWrite(id, "HTTP/1.1 200 OK\r\n");
  rig.StageWrite(id, "content-length: 2\r\n\r\n");
  rig.StageWrite(id, "ok");
  rig.Apply();
  CHECK_EQ(Receive(peer), std::string("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
  CHECK_EQ(Receive(peer), std::string());  // one sendmsg: nothing follows
  close(peer);
}

TEST(a_write_to_another_connection_in_between_splits_the_run) {
  Rig rig;
  int32_t a, b;
  int peer_a = rig.Adopt(SOCK_SEQPACKET, &a);
  int peer_b = rig.Adopt(SOCK_SEQPACKET, &b);
  rig.StageWrite(a, "a1");
  rig.StageWrite(a, "a2");
  rig.StageWrite(b, "b1");
  rig.StageWrite(a, "a3");
  rig.Apply();
  CHECK_EQ(Receive(peer_a), std::string("a1a2"));
  CHECK_EQ(Receive(peer_a), std::string("a3"));
  CHECK_EQ(Receive(peer_b), std::string("b1"));
  CHECK_EQ(Receive(peer_b), std::string());
  close(peer_a);
  close(peer_b);
}

TEST(a_write_op_outside_the_stage_is_skipped_not_read) {
  Rig rig;
  int32_t id;
  int peer = rig.Adopt(SOCK_SEQPACKET, &id);
  rig.StageWrite(id, "in");
  rig.ops[rig.op_count++] = {kOpWrite, id, static_cast<int32_t>(kStageSize) - 1, 2};
  rig.StageWrite(id, "side");
  rig.Apply();
  CHECK_EQ(Receive(peer), std::string("inside"));
  close(peer);
}

TEST(every_ready_connection_of_a_round_comes_in_one_dispatch) {
  Rig rig;
  int32_t ids[3];
  int peers[3];
  for (int i = 0; i < 3; i++) peers[i] = rig.Adopt(SOCK_STREAM, &ids[i]);
  for (int i = 0; i < 3; i++) CHECK_EQ(write(peers[i], "ping", 4), 4);
  size_t before = rig.recorder.batches.size();
  rig.reactor->RunOnce();
  CHECK_EQ(rig.recorder.batches.size(), before + 1);
  const std::vector<Record>& batch = rig.recorder.batches.back();
  CHECK_EQ(batch.size(), 3u);
  for (const Record& r : batch) {
    CHECK_EQ(r.kind, kRecordData);
    CHECK_EQ(r.b, 4);
    CHECK(std::memcmp(rig.read_buffer.data() + r.a, "ping", 4) == 0);
  }
  for (int peer : peers) close(peer);
}

TEST(a_close_while_the_peer_sends_writes_the_reply_sends_fin_drops_input_and_closes_at_the_peers_fin) {
  Rig rig;
  int32_t id;
  int peer = rig.Adopt(SOCK_STREAM, &id);
  rig.StageWrite(id, "reply");
  rig.ops[rig.op_count++] = {kOpClose, id, 0, 0};
  rig.Apply();
  char buffer[64];
  CHECK_EQ(read(peer, buffer, sizeof buffer), 5);
  CHECK_EQ(read(peer, buffer, sizeof buffer), 0);  // our FIN
  // The application is done with it at once; the socket waits for the peer.
  rig.reactor->RunOnce();
  CHECK(Has(rig.recorder.batches.back(), kRecordClosed));
  CHECK_EQ(rig.reactor->ConnectionCount(), 0u);
  CHECK(rig.reactor->Find(id) != nullptr);
  CHECK_EQ(rig.recorder.expiry_requests.size(), 1u);
  // What the peer still sends is read and dropped, not presented.
  size_t batches = rig.recorder.batches.size();
  CHECK_EQ(write(peer, "more", 4), 4);
  rig.reactor->RunOnce();
  CHECK_EQ(rig.recorder.batches.size(), batches);
  CHECK(rig.reactor->Find(id) != nullptr);
  shutdown(peer, SHUT_WR);
  rig.reactor->RunOnce();
  CHECK(rig.reactor->Find(id) == nullptr);
  CHECK_EQ(rig.recorder.batches.size(), batches);  // no second closed record
  close(peer);
}

TEST(a_peer_that_never_sends_fin_is_closed_at_the_linger_deadline) {
  ReactorOptions options;
  options.linger_ms = 0;
  Rig rig(options);
  int32_t id;
  int peer = rig.Adopt(SOCK_STREAM, &id);
  CHECK(rig.reactor->Close(id));
  CHECK(rig.reactor->Find(id) != nullptr);
  CHECK_EQ(rig.reactor->ExpireLingering(), -1);
  CHECK(rig.reactor->Find(id) == nullptr);
  close(peer);
}

TEST(stop_reports_stopped_only_once_the_lingering_sockets_are_closed) {
  Rig rig;
  int32_t id;
  int peer = rig.Adopt(SOCK_STREAM, &id);
  rig.reactor->Stop();
  rig.reactor->RunOnce();
  CHECK(Has(rig.recorder.batches.back(), kRecordClosed));
  CHECK(!Has(rig.recorder.batches.back(), kRecordStopped));
  // A stop's lingering has no deadline of its own: the host's stop timeout ends it.
  CHECK(rig.recorder.expiry_requests.empty());
  shutdown(peer, SHUT_WR);
  rig.reactor->RunOnce();
  CHECK(Has(rig.recorder.batches.back(), kRecordStopped));
  close(peer);
}

TEST(unlisten_closes_one_listener_and_refuses_new_connections_on_it) {
  Rig rig;
  ListenSpec spec;
  spec.host = "127.0.0.1";
  const char* failed = "";
  int index = rig.reactor->Listen(Transport::kTcp, spec, &failed);
  CHECK(index >= 0);
  Endpoint local;
  CHECK(rig.reactor->acceptor().LocalAddress(index, &local, &failed) >= 0);
  CHECK(rig.reactor->Unlisten(index));
  CHECK(!rig.reactor->Unlisten(index));  // already closed
  CHECK(rig.reactor->acceptor().fd(index) < 0);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(client >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(local.port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK_EQ(connect(client, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
  CHECK_EQ(errno, ECONNREFUSED);
  close(client);
}
