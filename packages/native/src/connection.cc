// A connection's I/O: the Connection's own system calls and buffers, the table that gives
// connections their ids, and the reactor's per-connection step — read once per round, write
// inline, keep the poller's interest in step with the watermarks, close.
#include "connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "reactor.h"
#include "socket.h"

namespace nevio {

// --- Connection ---

ssize_t Connection::Read(uint8_t* into, size_t length) { return ReadSome(fd_, into, length); }

int Connection::Send(const struct iovec* chunks, int count) {
  int first = 0;
  size_t skip = 0;
  if (out_.empty()) {
    ssize_t n = SendChunks(fd_, chunks, count);
    if (n < 0 && !WouldBlock(n)) return static_cast<int>(n);
    size_t written = n < 0 ? 0 : static_cast<size_t>(n);
    while (first < count && written >= chunks[first].iov_len) written -= chunks[first++].iov_len;
    skip = written;
  }
  for (int i = first; i < count; i++) {
    const auto* base = static_cast<const uint8_t*>(chunks[i].iov_base);
    out_.Append(base + (i == first ? skip : 0), chunks[i].iov_len - (i == first ? skip : 0));
  }
  return 0;
}

int Connection::FlushPending() {
  struct iovec chunk = {const_cast<uint8_t*>(out_.data()), out_.size()};
  ssize_t n = SendChunks(fd_, &chunk, 1);
  if (n < 0) return WouldBlock(n) ? 0 : static_cast<int>(n);
  out_.Consume(static_cast<size_t>(n));
  return 0;
}

uint32_t Connection::WantedInterest(const Watermarks& watermarks, bool* drained) {
  uint32_t want = 0;
  *drained = false;
  if (connecting) return kPollWrite;  // the connect's outcome; nothing to read or write yet
  if (closing) {
    // Input is dropped until the peer's FIN: the peer can finish sending, and nothing is left
    // unread for the kernel to answer our close with RST.
    if (!read_done) want |= kPollRead;
  } else {
    // A half-open connection no longer reads, but its writer still wants to hear about drains.
    size_t pending = out_.size();
    if (paused && pending <= watermarks.low) {
      paused = false;
      *drained = true;
    }
    if (!paused && pending > watermarks.high) paused = true;
    if (!paused && !held && !read_done) want |= kPollRead;
  }
  if (!out_.empty()) want |= kPollWrite;
  return want;
}

int Connection::HalfClose() {
  if (write_shut) return 0;
  if (shutdown(fd_, SHUT_WR) < 0) return -errno;
  write_shut = true;
  return 0;
}

void Connection::CloseSocket() { close(fd_); }

void Connection::PresentShared(uint32_t offset, uint32_t length) {
  presented_ = true;
  presented_shared_ = true;
  consume_set_ = false;
  presented_offset_ = offset;
  presented_length_ = length;
}

void Connection::PresentInbound() {
  presented_ = true;
  presented_shared_ = false;
  consume_set_ = false;
  presented_length_ = static_cast<uint32_t>(in_.size());
}

void Connection::SetConsumed(uint32_t bytes) {
  if (!presented_) return;
  consumed_ = bytes;
  consume_set_ = true;
}

void Connection::Settle(const uint8_t* read_buffer) {
  if (!presented_) return;
  presented_ = false;
  if (closing) {
    in_.Release();
    return;
  }
  uint32_t consumed = consume_set_ ? std::min(consumed_, presented_length_) : presented_length_;
  consume_set_ = false;
  if (presented_shared_) {
    uint32_t tail = presented_length_ - consumed;
    if (tail > 0) in_.Append(read_buffer + presented_offset_ + consumed, tail);
  } else {
    in_.Consume(consumed);
  }
}

// --- ConnectionTable ---

ConnectionTable::~ConnectionTable() {
  for (Connection* c : slots_) delete c;
}

Connection* ConnectionTable::Find(int32_t id) const {
  uint32_t slot = SlotOf(id);
  if (id < 0 || slot >= slots_.size()) return nullptr;
  Connection* c = slots_[slot];
  return (c != nullptr && c->id() == id) ? c : nullptr;
}

Connection* ConnectionTable::Insert(int fd, int listener) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(nullptr);
    generations_.push_back(0);
  }
  uint32_t generation = generations_[slot] = (generations_[slot] + 1) & kGenerationMask;
  auto* c = new Connection(fd, static_cast<int32_t>(slot | (generation << kSlotBits)), listener);
  slots_[slot] = c;
  return c;
}

void ConnectionTable::Erase(Connection* c) {
  uint32_t slot = SlotOf(c->id());
  slots_[slot] = nullptr;
  free_slots_.push_back(slot);
  delete c;
}

// --- The reactor's connection step ---

void Reactor::HandleConnection(Connection* c, uint32_t mask) {
  if (c->connecting) {
    FinishConnect(c, mask);
    return;
  }
  bool hangup = (mask & kPollHangup) != 0;
  if (((mask & kPollWrite) || hangup) && !c->out().empty()) {
    if (!FlushPending(c)) return;
  }
  if (((mask & kPollRead) || hangup) && !c->read_done && c->round != round_) {
    if (c->closing) {
      DropInput(c);
    } else if (!c->paused && !c->held) {
      ReadOnce(c);
    }
  }
}

void Reactor::DropInput(Connection* c) {
  // One read per round, like ReadOnce: a peer that keeps sending cannot starve the others.
  c->round = round_;
  if (discard_.empty()) discard_.resize(options_.read_chunk);
  ssize_t n = c->Read(discard_.data(), discard_.size());
  if (n > 0 || WouldBlock(n)) return;
  if (n == 0) {
    c->read_done = true;
    FinishIfDrained(c);
    return;
  }
  Destroy(c, static_cast<int>(-n), kCallRead);
}

void Reactor::ReadOnce(Connection* c) {
  if (c->tls != nullptr) {
    ReadTls(c);
    return;
  }
  int32_t id = c->id();
  if (c->in().empty() && EnsureReadSpace(options_.read_chunk)) {
    // The dispatch that made room may have closed or detached this connection.
    c = Find(id);
    if (c == nullptr || c->closing || c->paused || c->held) return;
  }
  c->round = round_;
  bool shared = c->in().empty();
  if (!shared && c->in().size() + options_.read_chunk > options_.max_inbound) {
    Destroy(c, ENOBUFS, kCallRead);
    return;
  }
  uint8_t* target = shared ? shared_.read_buffer + read_offset_ : c->in().Reserve(options_.read_chunk);
  ssize_t n = c->Read(target, options_.read_chunk);
  if (n > 0) {
    if (shared) {
      c->PresentShared(static_cast<uint32_t>(read_offset_), static_cast<uint32_t>(n));
      Emit({kRecordData, id, static_cast<int32_t>(read_offset_), static_cast<int32_t>(n)});
      read_offset_ += static_cast<size_t>(n);
    } else {
      c->in().Commit(static_cast<size_t>(n));
      c->PresentInbound();
      Emit({kRecordInbound, id, 0, static_cast<int32_t>(c->presented_length())});
    }
    return;
  }
  if (n == 0) {
    PeerFinished(c);
    return;
  }
  if (!WouldBlock(n)) Destroy(c, static_cast<int>(-n), kCallRead);
}

void Reactor::PeerFinished(Connection* c) {
  c->read_done = true;
  if (options_.allow_half_open) {
    // The application may still answer what it received (an async handler); it closes.
    UpdateInterest(c);
    Emit({kRecordEnd, c->id(), 0, 0});
    return;
  }
  // The peer finished sending; what we still owe it is written before we close.
  c->closing = true;
  FinishIfDrained(c);
}

bool Reactor::Send(Connection* c, const struct iovec* chunks, int count) {
  if (c->tls != nullptr) return SendTls(c, chunks, count);
  int rc = c->Send(chunks, count);
  if (rc < 0) {
    Destroy(c, -rc, kCallWrite);
    return false;
  }
  if (!c->out().empty()) UpdateInterest(c);
  return true;
}

bool Reactor::FlushPending(Connection* c) {
  int rc = c->FlushPending();
  if (rc < 0) {
    Destroy(c, -rc, kCallWrite);
    return false;
  }
  int32_t id = c->id();
  FinishIfDrained(c);
  return Find(id) != nullptr;
}

void Reactor::UpdateInterest(Connection* c) {
  bool drained;
  uint32_t want = c->WantedInterest(options_.watermarks, &drained);
  if (drained) Emit({kRecordDrained, c->id(), 0, 0});
  if (want == c->mask) return;
  int rc = poller_.Modify(c->fd(), c->mask, want);
  if (rc < 0) {
    Destroy(c, -rc, kCallNone);
    return;
  }
  c->mask = want;
}

void Reactor::FinishIfDrained(Connection* c) {
  // TLS: close_notify goes out ahead of the FIN.
  if (c->tls != nullptr && (c->closing || c->close_write) && !NotifyTls(c)) return;
  if (c->close_write && !c->closing && !c->write_shut && c->out().empty()) {
    int rc = c->HalfClose();
    if (rc < 0) {
      Destroy(c, -rc, kCallShutdown);
      return;
    }
  }
  if (c->closing && c->out().empty()) {
    if (c->read_done) {
      // Nothing owed and nothing unread: the close cannot turn into RST.
      Destroy(c, 0, kCallNone);
      return;
    }
    if (!c->half_closed && !HalfClose(c)) return;
  }
  UpdateInterest(c);
}

bool Reactor::HalfClose(Connection* c) {
  int rc = c->HalfClose();
  if (rc < 0) {
    Destroy(c, -rc, kCallShutdown);
    return false;
  }
  // For the application the connection is closed now, as if there were no lingering: nothing
  // more can be written, nothing more will be presented, and everything it wrote is in the
  // kernel's hands. Only its slot and descriptor wait for the peer.
  Emit({kRecordClosed, c->id(), 0, kCallNone});
  inbox_->live().fetch_sub(1, std::memory_order_relaxed);
  half_closed_count_++;
  c->half_closed = true;
  // Closed by a stop, the connection waits for the peer as long as the stop does (its
  // stopTimeout ends with CloseAll): peers reading megabytes of owed output need more than 5 s.
  if (stopping_) return true;
  c->linger_deadline = NowMs() + options_.linger_ms;
  lingering_.push_back({c->linger_deadline, c->id()});
  // Every connection lingers equally long, so deadlines are queued in order and one timer, for
  // the oldest (or a sooner TLS handshake deadline), is enough.
  WantExpiry(c->linger_deadline);
  return true;
}

void Reactor::WantExpiry(int64_t deadline) {
  if (expiry_due_ != 0 && expiry_due_ <= deadline) return;  // the timer fires sooner anyway
  expiry_due_ = deadline;
  dispatcher_->ScheduleExpiry(std::max<int64_t>(0, deadline - NowMs()));
}

int64_t Reactor::ExpireLingering() {
  int64_t now = NowMs();
  expiry_due_ = 0;
  while (!lingering_.empty() && lingering_.front().deadline <= now) {
    Lingering expired = lingering_.front();
    lingering_.pop_front();
    Connection* c = Find(expired.id);
    // The peer did not finish in time: close anyway (it gets RST if it is still sending).
    if (c != nullptr && c->half_closed && c->linger_deadline == expired.deadline) Destroy(c, 0, kCallNone);
  }
  ExpireHandshakes(now);
  int64_t next = lingering_.empty() ? -1 : lingering_.front().deadline;
  int64_t handshake = NextHandshakeDeadline();
  if (handshake >= 0 && (next < 0 || handshake < next)) next = handshake;
  if (next < 0) return -1;
  expiry_due_ = next;  // the host schedules it from the delay returned
  return std::max<int64_t>(0, next - now);
}

int64_t Reactor::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Reactor::Destroy(Connection* c, int err, int32_t call) {
  poller_.Remove(c->fd(), c->mask);
  c->CloseSocket();
  // A half-closed connection's close was reported when it half-closed; what happens while it
  // lingers (the peer's FIN, a reset, the deadline) changes nothing the application owes.
  if (!c->half_closed) Emit({kRecordClosed, c->id(), err, call});
  Release(c);
}

void Reactor::Release(Connection* c) {
  SetHandle(c->fd(), {});
  if (c->half_closed) {
    half_closed_count_--;
  } else {
    inbox_->live().fetch_sub(1, std::memory_order_relaxed);
  }
  connections_.Erase(c);
  EmitStoppedIfDone();
}

int64_t Reactor::Write(int32_t id, const uint8_t* bytes, size_t length) {
  Connection* c = Find(id);
  if (c == nullptr || c->closing || c->close_write || c->opening()) return -1;
  struct iovec chunk = {const_cast<uint8_t*>(bytes), length};
  if (!Send(c, &chunk, 1)) return -1;
  return static_cast<int64_t>(c->out().size());
}

bool Reactor::Close(int32_t id) {
  Connection* c = Find(id);
  if (c == nullptr) return false;
  if (c->opening()) {
    Destroy(c, ECANCELED, kCallConnect);
    return true;
  }
  c->closing = true;
  FinishIfDrained(c);
  return true;
}

int Reactor::Detach(int32_t id, std::vector<uint8_t>* pending_output) {
  Connection* c = Find(id);
  // A TLS connection's socket carries records only its session can read: it cannot leave.
  if (c == nullptr || c->half_closed || c->opening() || c->tls != nullptr) return -1;
  poller_.Remove(c->fd(), c->mask);
  pending_output->assign(c->out().data(), c->out().data() + c->out().size());
  int fd = c->fd();
  Release(c);
  return fd;
}

bool Reactor::CloseWrite(int32_t id) {
  Connection* c = Find(id);
  if (c == nullptr || c->opening() || c->closing) return false;
  c->close_write = true;
  FinishIfDrained(c);
  return true;
}

bool Reactor::SetReading(int32_t id, bool on) {
  Connection* c = Find(id);
  if (c == nullptr) return false;
  c->held = !on;
  UpdateInterest(c);
  return true;
}

}  // namespace nevio
