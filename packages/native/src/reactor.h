// The reactor: one event loop's listeners, connections and buffers, turning one round of
// readiness into one batch of records for JavaScript.
//
// One round (RunOnce, reactor.cc): wait with a zero timeout (libuv already knows the poller is
// readable), accept / read / flush every ready socket, each within a budget, appending a record
// per event to the shared `records` array and the bytes read to the shared read buffer. Then ONE
// call to the Dispatcher runs every handler of the batch. The handlers answer through the shared
// `ops` array (writes staged in the shared stage buffer, closes, how much input they consumed),
// which ApplyOps carries out: output is written inline, and only what the kernel does not take
// is kept.
//
// The class is defined over three files, one concern each:
//   reactor.cc     the round: records, dispatch, ops, the inbox's messages, stop
//   acceptor.cc    accepting: listeners, the accept budget, balancing, adopting, datagrams
//   connection.cc  a connection's reads, writes, interest and close
//   dialer.cc      outbound connections: the connect in progress, its outcome, its abort
// and uses self-contained units: Poller (poller.h), Acceptor (acceptor.h: listener sockets,
// EMFILE shedding), Connection and ConnectionTable (connection.h), Inbox (inbox.h: cross-thread
// posts), Balancer (balancer.h).
#pragma once

#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "acceptor.h"
#include "balancer.h"
#include "connection.h"
#include "inbox.h"
#include "poller.h"
#include "protocol.h"
#include "socket.h"
#include "tls.h"

namespace nevio {

struct ReactorOptions {
  size_t read_chunk = kDefaultReadChunk;
  Watermarks watermarks = {kDefaultHighWatermark, kDefaultLowWatermark};
  size_t max_inbound = kDefaultMaxInbound;
  bool no_delay = true;
  // On the peer's FIN, report kRecordEnd and keep the connection open for writing (the application
  // closes it), instead of closing it once pending output is written.
  bool allow_half_open = false;
  int keep_alive_seconds = 0;
  int accept_budget = kDefaultAcceptBudget;
  int64_t linger_ms = kDefaultLingerMs;  // see kDefaultLingerMs
  // The poller's mechanism (backend.h); the host checks UringUnavailable first for kIoUring.
  Backend backend = Backend::kEpoll;
};

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // Runs the handlers for records[0, count); returns how many ops they staged, or -1 if
  // JavaScript threw (the batch's ops are then dropped, and the connections carry on).
  virtual int Dispatch(int count) = 0;
  // Asks the host to call Reactor::ExpireLingering once `delay_ms` have passed (replacing any
  // earlier request; the reactor asks again for the next deadline when it is called).
  virtual void ScheduleExpiry(int64_t delay_ms) = 0;
};

// Shared memory, allocated by the host (as JavaScript ArrayBuffers, so views stay valid).
struct SharedMemory {
  Record* records;
  int max_records;
  Record* ops;
  int max_ops;
  uint8_t* read_buffer;
  size_t read_buffer_size;
  const uint8_t* stage;
  size_t stage_size;
};

class Reactor {
 public:
  Reactor(const ReactorOptions& options, const SharedMemory& shared, Dispatcher* dispatcher);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // 0 or -errno; `failed` names the call.
  int Open(const char** failed);
  int PollFd() const { return poller_.Fd(); }
  Backend backend() const { return poller_.backend(); }

  // One round; called when the poller's descriptor is readable.
  void RunOnce();
  // Applies ops[0, count) staged so far (JavaScript calls it when its stage buffer is full).
  void ApplyOps(int count);

  // Listeners (acceptor.cc). Listen returns the listener's index or -errno.
  int Listen(Transport transport, const ListenSpec& spec, const char** failed);
  // Stops listener `index` and closes its socket (a unix socket's file is unlinked); its index
  // stays taken. Connections it accepted stay open. False when it is not open.
  bool Unlisten(int index);
  const Acceptor& acceptor() const { return acceptor_; }
  // The reactors accepted connections are spread over (this one may be among them).
  void SetBalancer(const std::vector<int32_t>& targets, Balance balance);

  // Outbound connections (dialer.cc). Dial returns the connection's id (the connect is under
  // way; kRecordOpen or kRecordClosed with kCallConnect tells how it ended) or -errno, with
  // `failed` naming the call. Abort ends a connect still in progress with `err` (ETIMEDOUT for
  // the host's timeout); false if the connection is not connecting.
  int32_t Dial(const DialSpec& spec, const char** failed);
  bool Abort(int32_t id, int err);

  // TLS (tls_reactor.cc). A listener with an endpoint (a reference is taken; null: plain again)
  // hands its new connections to a session, and they open for JavaScript when the handshake
  // completes; connections already running keep their session. SecureDial makes a dial still
  // connecting a TLS one (client endpoint; `servername`: SNI and the name to verify).
  void SetListenerTls(int listener, TlsEndpoint* endpoint);
  bool SecureDial(int32_t id, TlsEndpoint* endpoint, const std::string& servername);
  // Why a TLS connection failed (its close record carries kCallTls), taken once by JavaScript.
  struct TlsNote {
    int32_t id;
    TlsFailure failure;
    Endpoint peer;
  };
  bool TakeTlsFailure(int32_t id, TlsNote* out);

  // The open connection with this id, or null. For queries (addresses, socket options, the
  // inbound view); changes go through the calls below, which keep the poller in step.
  Connection* Find(int32_t id) const { return connections_.Find(id); }
  // Writes now (outside a batch): inline if nothing is pending, else queued. Returns the bytes
  // still pending for the connection, or -1 if it is not open.
  int64_t Write(int32_t id, const uint8_t* bytes, size_t length);
  // Graceful close, the same for Action.Close, remoteClose, the peer's FIN and Stop: input is no
  // longer presented but read and dropped, the pending output is written, then FIN is sent
  // (shutdown SHUT_WR) and kRecordClosed is emitted (the application is done with it; it no
  // longer counts as live), and the socket is closed at the peer's FIN, or after linger_ms (after
  // Stop: when the host's stop timeout calls CloseAll). Closing
  // with input unread would make the kernel answer with RST, which destroys the output still in
  // flight to the peer (nginx's lingering close).
  bool Close(int32_t id);
  // Half-close: FIN once the pending output is written, while input is still presented (a
  // proxy passing on its client's FIN). Later writes are refused; the connection closes at the
  // peer's FIN (or in half-open mode when the application closes it). False if not open.
  bool CloseWrite(int32_t id);
  // Removes the connection from the reactor without closing the descriptor; pending output is
  // moved to `pending_output`. Returns the descriptor or -1.
  int Detach(int32_t id, std::vector<uint8_t>* pending_output);
  // Stops or resumes reading one connection (the application's own backpressure).
  bool SetReading(int32_t id, bool on);
  // The connection's `react` runs again (with its unconsumed input) next round.
  void Wake(int32_t id);

  // This reactor's process-wide id: other threads post to it with Inbox::Post.
  int32_t InboxId() const { return inbox_->id(); }
  size_t ConnectionCount() const { return static_cast<size_t>(inbox_->live().load(std::memory_order_relaxed)); }

  // Graceful stop: closes the listeners, then closes every connection gracefully (see Close); the
  // last close, lingering included, emits kRecordStopped. Asked from a handler, it waits until the batch's ops are
  // applied, so that output owed for the batch's input goes out. CloseAll closes everything now.
  void Stop();
  void CloseAll();
  // Closes the connections whose linger deadline passed; returns the milliseconds until the
  // next deadline, or -1 if none lingers (the host then waits for the next ScheduleExpiry).
  int64_t ExpireLingering();

 private:
  enum class Owner : uint8_t { kNone, kListener, kConnection };
  struct Handle {
    Owner owner = Owner::kNone;
    int index = 0;  // listener index or connection slot
  };

  // reactor.cc: the round.
  void Emit(const Record& record);
  void Flush();
  bool EnsureReadSpace(size_t want);
  void SettleConsumption(int count);
  void DrainInbox();
  void SetHandle(int fd, Handle handle);
  void EmitStoppedIfDone();

  // acceptor.cc: accepting.
  void AcceptAll(int index);
  void ReceiveDatagrams(int index);
  void Adopt(int fd, int32_t listener, bool counted);
  // TCP_NODELAY and keep-alive per the options on a TCP connection; nothing for unix sockets.
  void ApplyStreamOptions(int fd);

  // dialer.cc: a connect in progress reported writable (or failed).
  void FinishConnect(Connection* c, uint32_t mask);
  void CloseListeners();

  // connection.cc: one connection's I/O.
  void HandleConnection(Connection* c, uint32_t mask);
  void ReadOnce(Connection* c);
  // The peer's stream ended (FIN, or TLS close_notify): the half-open END, or a graceful close.
  void PeerFinished(Connection* c);
  // Sends `count` chunks in order; false if the connection failed (it is then closed).
  bool Send(Connection* c, const struct iovec* chunks, int count);
  bool FlushPending(Connection* c);
  void UpdateInterest(Connection* c);
  // A closing connection whose output is written: half-closes it, or closes it if the peer
  // already sent FIN.
  void FinishIfDrained(Connection* c);
  // Reads and drops a closing connection's input; closes it at the peer's FIN.
  void DropInput(Connection* c);
  // Sends FIN and starts the linger deadline; false if that failed (the connection is closed).
  bool HalfClose(Connection* c);
  static int64_t NowMs();
  // Has the host's timer fire by `deadline` (steady-clock ms), unless it already fires sooner.
  void WantExpiry(int64_t deadline);
  void Destroy(Connection* c, int err, int32_t call);
  // The one way a connection leaves the reactor (closed or detached): forgets its descriptor,
  // frees its slot, uncounts it, and emits kRecordStopped if it was the last one after Stop.
  void Release(Connection* c);

  // tls_reactor.cc: TLS connections.
  TlsEndpoint* ListenerTls(int listener) const;
  void ReleaseTls();
  // Gives `c` a session (false: none could be made, c is destroyed); a server's handshake
  // deadline starts now, a client's when its connect completes (StartClientTls).
  bool BeginTls(Connection* c, TlsEndpoint* endpoint, const std::string& servername);
  void WatchHandshake(Connection* c);
  void StartClientTls(Connection* c);
  void ReadTls(Connection* c);
  // The socket reached EOF (`err` 0) or failed while the session was in some state.
  void TlsStreamEnded(Connection* c, int err);
  bool SendTls(Connection* c, const struct iovec* chunks, int count);
  // Queues close_notify once; false if the connection failed (it is then destroyed).
  bool NotifyTls(Connection* c);
  // Closes `c` with kCallTls, keeping `failure` for JavaScript.
  void FailTls(Connection* c, int err, const TlsFailure& failure);
  void ExpireHandshakes(int64_t now);
  int64_t NextHandshakeDeadline() const;

  ReactorOptions options_;
  SharedMemory shared_;
  Dispatcher* dispatcher_;
  Poller poller_;
  Acceptor acceptor_;
  ConnectionTable connections_;
  std::vector<Handle> handles_;   // by descriptor
  std::vector<Record> deferred_;  // records emitted while JavaScript reads `records`
  int record_count_ = 0;
  size_t read_offset_ = 0;
  bool dispatching_ = false;
  bool in_round_ = false;
  bool stopping_ = false;
  bool stop_pending_ = false;  // Stop was called from a handler; it runs after the batch
  bool stopped_emitted_ = false;
  struct Lingering {
    int64_t deadline;
    int32_t id;
  };
  std::deque<Lingering> lingering_;  // half-closed connections, oldest deadline first
  size_t half_closed_count_ = 0;     // in the table but no longer counted as live (reported closed)
  std::vector<uint8_t> discard_;     // where dropped input is read to (read_chunk bytes, once needed)
  uint32_t round_ = 0;
  int64_t expiry_due_ = 0;  // when the host's timer fires (steady ms), 0: not scheduled
  // TLS: the ciphertext sink and read scratch shared by every TLS connection of this reactor,
  // each listener's endpoint, handshake deadlines (soonest first), failures for JavaScript.
  TlsOutput tls_output_;
  std::vector<uint8_t> tls_cipher_;
  std::vector<TlsEndpoint*> listener_tls_;
  struct Deadline {
    int64_t deadline;
    int32_t id;
    bool operator>(const Deadline& other) const { return deadline > other.deadline; }
  };
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> handshakes_;
  std::deque<TlsNote> tls_failures_;
  Inbox* inbox_;
  std::unique_ptr<Balancer> balancer_;  // null: this reactor keeps what it accepts
};

}  // namespace nevio
