// Dialing: the reactor's outbound connections. A dial starts a nonblocking connect(2) and puts
// the connection in the table at once, so JavaScript has its id; the poller watches only for
// writability, which is how the kernel reports that the handshake ended either way. Then the
// connection becomes an ordinary one (kRecordOpen with kOutbound as its listener) or is
// destroyed with the connect's errno (kRecordClosed, kCallConnect). Timeouts are the host's:
// it calls Abort with ETIMEDOUT (one timer per dial in JavaScript; dials are not a hot path).
#include <unistd.h>

#include <cerrno>

#include "reactor.h"

namespace nevio {

int32_t Reactor::Dial(const DialSpec& spec, const char** failed) {
  if (stopping_) {
    *failed = "connect";
    return -ECANCELED;
  }
  if (connections_.full()) {
    *failed = "connect";
    return -EMFILE;  // a million connections: refuse rather than wrap ids
  }
  int fd = ConnectStream(spec, failed);
  if (fd < 0) return fd;
  int rc = poller_.Add(fd, kPollWrite);
  if (rc < 0) {
    close(fd);
    *failed = poller_.FailedCall();
    return rc;
  }
  inbox_->live().fetch_add(1, std::memory_order_relaxed);
  Connection* c = connections_.Insert(fd, kOutbound);
  c->connecting = true;
  c->mask = kPollWrite;
  SetHandle(fd, {Owner::kConnection, static_cast<int>(ConnectionTable::SlotOf(c->id()))});
  return c->id();
}

void Reactor::FinishConnect(Connection* c, uint32_t mask) {
  int err = ConnectResult(c->fd());
  if (err != 0) {
    Destroy(c, err, kCallConnect);
    return;
  }
  // A hangup without an error is a peer that accepted and closed at once: the connection opens
  // and its first read reports the FIN, as for an accepted connection.
  if ((mask & (kPollWrite | kPollHangup)) == 0) return;
  c->connecting = false;
  ApplyStreamOptions(c->fd());
  if (c->tls != nullptr) {
    StartClientTls(c);  // `open` comes when the handshake completes
    return;
  }
  UpdateInterest(c);
  if (Find(c->id()) == nullptr) return;  // the poller refused the change: destroyed
  Emit({kRecordOpen, c->id(), kOutbound, 0});
}

bool Reactor::Abort(int32_t id, int err) {
  Connection* c = Find(id);
  if (c == nullptr || !c->connecting) return false;
  Destroy(c, err, kCallConnect);
  return true;
}

}  // namespace nevio
