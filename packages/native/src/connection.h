// One stream connection: its descriptor, its inbound and outbound buffers, what the current
// batch presented to JavaScript, and the state the reactor's interest and closing decisions are
// made from. Connection does the connection's own system calls and bookkeeping and reports
// outcomes; the reactor (connection.cc's Reactor part, reactor.cc) turns them into records and
// poller changes. ConnectionTable gives connections their ids.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <vector>

#include "buffer.h"
#include "protocol.h"
#include "tls.h"

namespace nevio {

// The pending-output bounds between which a connection is paused (not read).
struct Watermarks {
  size_t high;
  size_t low;
};

class Connection {
 public:
  Connection(int fd, int32_t id, int listener) : fd_(fd), id_(id), listener_(listener) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { delete tls; }

  int fd() const { return fd_; }
  int32_t id() const { return id_; }
  int listener() const { return listener_; }  // kOutbound for a dialed connection

  // Reads at most `length` bytes into `into`: the count, 0 at the peer's FIN, or -errno.
  ssize_t Read(uint8_t* into, size_t length);
  // Sends `chunks` in order: inline when nothing is pending (one sendmsg, so consecutive writes
  // become one writev), and what the kernel does not take is copied to the outbound buffer.
  // 0, or -errno when the connection failed (EAGAIN is not a failure: the rest is queued).
  int Send(const struct iovec* chunks, int count);
  // Writes the outbound buffer; 0 (part of it may remain) or -errno.
  int FlushPending();
  // The poller interest the connection wants now. Applies the watermarks: sets `*drained` when
  // the pending output fell to the low one after exceeding the high one.
  uint32_t WantedInterest(const Watermarks& watermarks, bool* drained);
  // Sends FIN after the output already handed to the kernel (shutdown SHUT_WR), once; 0 or -errno.
  int HalfClose();
  // Closes the descriptor. Input still unread makes the kernel answer with RST, which is why a
  // graceful close half-closes and drops input until the peer's FIN first (reactor.h: Close).
  void CloseSocket();

  // What the current batch hands to JavaScript: bytes in the shared read buffer, or the whole
  // inbound buffer. Until Settle, the handler's consumption (SetConsumed) is recorded.
  void PresentShared(uint32_t offset, uint32_t length);
  void PresentInbound();
  bool presented() const { return presented_; }
  uint32_t presented_length() const { return presented_length_; }
  void SetConsumed(uint32_t bytes);
  // After the batch: keeps what the handler did not consume. Shared bytes are copied out of the
  // read buffer (which the next batch reuses); inbound bytes are consumed in place. A closing
  // connection keeps nothing: its input will not be presented again.
  void Settle(const uint8_t* read_buffer);

  InboundBuffer& in() { return in_; }
  OutboundBuffer& out() { return out_; }

  // Not open for the application yet: a connect, or a TLS handshake, in progress.
  bool opening() const { return connecting || (tls != nullptr && tls->handshaking()); }

  uint32_t mask = 0;       // the poller interest registered now
  bool connecting = false; // an outbound connect(2) in progress: only writability is watched
  TlsSession* tls = nullptr;  // owned; null for a plain connection (tls_reactor.cc)
  bool paused = false;     // above the high watermark: not reading
  bool held = false;       // the application asked not to read
  // Close requested: input is no longer presented (it is read and dropped), output written
  // after the request is refused, and once the pending output is written the connection
  // half-closes, then closes at the peer's FIN or at `linger_deadline`.
  bool closing = false;
  bool half_closed = false;  // closing, and our FIN is sent: only the peer's FIN is awaited
  // CloseWrite was asked: no more output is taken, FIN goes out once the pending output is
  // written (then `write_shut`), and input is still presented.
  bool close_write = false;
  bool write_shut = false;
  bool read_done = false;    // the peer sent FIN
  int64_t linger_deadline = 0;  // steady-clock milliseconds; set when half_closed
  uint32_t round = 0;      // the round this connection was last read in (kqueue may report twice)

 private:
  int fd_;
  int32_t id_;
  int listener_;
  bool presented_ = false;
  bool presented_shared_ = false;
  bool consume_set_ = false;
  uint32_t presented_offset_ = 0;
  uint32_t presented_length_ = 0;
  uint32_t consumed_ = 0;
  InboundBuffer in_;
  OutboundBuffer out_;
};

// Every open connection of a reactor by id: slot | generation << kSlotBits (protocol.h).
class ConnectionTable {
 public:
  ConnectionTable() = default;
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;
  ~ConnectionTable();  // deletes what is left (the owner closes the descriptors first)

  // The open connection with this id, or null (closed, or an old id of a reused slot).
  Connection* Find(int32_t id) const;
  Connection* AtSlot(uint32_t slot) const { return slots_[slot]; }
  static uint32_t SlotOf(int32_t id) { return static_cast<uint32_t>(id) & kSlotMask; }
  bool full() const { return free_slots_.empty() && slots_.size() > kSlotMask; }
  // A new connection in a free slot with the slot's next generation; the table must not be full.
  Connection* Insert(int fd, int listener);
  // Frees the slot and deletes the connection.
  void Erase(Connection* c);
  // Calls `visit` with every open connection; `visit` may erase the one it is given.
  template <typename Visit>
  void ForEach(Visit visit) {
    for (size_t slot = 0; slot < slots_.size(); slot++) {
      if (slots_[slot] != nullptr) visit(slots_[slot]);
    }
  }

 private:
  std::vector<Connection*> slots_;
  std::vector<uint32_t> generations_;  // by slot: the generation of its latest occupant
  std::vector<uint32_t> free_slots_;
};

}  // namespace nevio
