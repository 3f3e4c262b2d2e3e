// The reactor: owns the listeners, the connections and their buffers, and turns one round of
// readiness into one batch of records for JavaScript.
//
// One round (RunOnce): wait with a zero timeout (libuv already knows the poller is readable),
// accept / read / flush every ready socket, each within a budget, appending a record per event
// to the shared `records` array and the bytes read to the shared read buffer. Then ONE call to
// the Dispatcher runs every handler of the batch. The handlers answer through the shared `ops`
// array (writes staged in the shared stage buffer, closes, how much input they consumed), which
// PostProcess applies: output is written inline, and only what the kernel does not take is kept.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "buffer.h"
#include "poller.h"
#include "socket.h"

namespace nevio {

// Records (reactor -> JavaScript), four int32 each: kind, id, a, b.
enum RecordKind : int32_t {
  kRecordOpen = 1,      // id: connection, a: listener index
  kRecordData = 2,      // id: connection, a: offset in the read buffer, b: length
  kRecordInbound = 3,   // id: connection, b: length of its inbound buffer (fetch it with Inbound)
  kRecordWake = 4,      // id: connection, b: length of its inbound buffer
  kRecordClosed = 5,    // id: connection, a: errno (0: closed cleanly), b: syscall code
  kRecordDatagram = 6,  // id: listener index, a: payload offset (sender address 128 bytes before), b: length
  kRecordStopped = 7,   // every connection is closed after Stop
  kRecordError = 8,     // id: listener index, a: errno, b: syscall code; the reactor carries on
  kRecordDrained = 9,   // id: connection; its pending output fell to the low watermark after exceeding the high one
  kRecordEnd = 10,      // id: connection; the peer finished sending (half-open mode: it is still writable)
};

// Ops (JavaScript -> reactor), four int32 each: kind, id, a, b.
enum OpKind : int32_t {
  kOpWrite = 1,    // id: connection, a: offset in the stage buffer, b: length
  kOpClose = 2,    // id: connection; closes once its output is written
  kOpConsume = 3,  // id: connection, a: bytes of the presented data the handler consumed
};

// Syscall codes in records, so JavaScript can name the call without a string per record.
enum SyscallCode : int32_t { kCallNone = 0, kCallRead, kCallWrite, kCallAccept, kCallRecv, kCallSend };

struct Record {
  int32_t kind, id, a, b;
};

// How a reactor that accepts spreads connections over the reactors of its group.
enum class Balance : int32_t { kRoundRobin = 0, kLeastConnections = 1, kSourceAddrHash = 2, kRandom = 3 };

struct ReactorOptions {
  size_t read_chunk = 64 * 1024;      // one read per connection per round: the starvation budget
  size_t high_watermark = 1 << 20;    // stop reading a connection whose pending output exceeds this
  size_t low_watermark = 256 * 1024;  // ... and read again once it drains below this
  size_t max_inbound = 256u << 20;    // unconsumed input beyond this closes the connection (ENOBUFS)
  bool no_delay = true;
  // On the peer's FIN, report kRecordEnd and keep the connection open for writing (the application
  // closes it), instead of closing it once pending output is written.
  bool allow_half_open = false;
  int keep_alive_seconds = 0;
  int accept_budget = 64;  // accepts per listener per round, so a connection storm cannot starve I/O
};

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // Runs the handlers for records[0, count); returns how many ops they staged, or -1 if
  // JavaScript threw (the batch's ops are then dropped, and the connections carry on).
  virtual int Dispatch(int count) = 0;
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

  enum class Transport { kTcp, kUdp, kUnix };
  // Returns the listener's index or -errno.
  int Listen(Transport transport, const ListenSpec& spec, const char** failed);
  int ListenerEndpoint(int index, Endpoint* out, const char** failed);

  // One round; called when the poller's descriptor is readable.
  void RunOnce();
  // Applies ops[0, count) staged so far (JavaScript calls it when its stage buffer is full).
  void ApplyOps(int count);

  // Writes now (outside a batch): inline if nothing is pending, else queued. Returns the bytes
  // still pending for the connection, or -1 if it is not open.
  int64_t Write(int32_t id, const uint8_t* bytes, size_t length);
  // Graceful close: after pending output is written.
  bool Close(int32_t id);
  // Removes the connection from the reactor without closing the descriptor; pending output is
  // moved to `pending_output`. Returns the descriptor or -1.
  int Detach(int32_t id, std::vector<uint8_t>* pending_output);
  // The connection's unconsumed input (shared storage; the caller takes a reference).
  Blob* Inbound(int32_t id, size_t* offset, size_t* length);
  int64_t OutboundSize(int32_t id);
  // Stops or resumes reading one connection (the application's own backpressure).
  bool SetReading(int32_t id, bool on);
  int SetNoDelay(int32_t id, bool on, const char** failed);
  int SetKeepAlive(int32_t id, bool on, int seconds, const char** failed);
  int LocalAddress(int32_t id, Endpoint* out, const char** failed);
  int PeerAddress(int32_t id, Endpoint* out, const char** failed);
  int SendTo(int listener, const uint8_t* addr, const uint8_t* bytes, size_t length, const char** failed);
  // Thread-safe: the connection's `react` runs again (with its unconsumed input) next round.
  void Wake(int32_t id);

  // Multicore. Every reactor has a process-wide id; the accepting reactor hands descriptors to the
  // others through their inboxes (a queue and the poller's wake-up, no round trip per connection).
  int32_t RegistryId() const { return registry_id_; }
  // The reactors accepted connections are spread over (this one may be among them).
  void SetBalancer(const std::vector<int32_t>& targets, Balance balance);
  // Thread-safe, from any thread: queue work for reactor `reactor`'s own thread. False when that
  // reactor is gone.
  static bool PostWrite(int32_t reactor, int32_t id, const uint8_t* bytes, size_t length);
  static bool PostWake(int32_t reactor, int32_t id);
  static bool PostClose(int32_t reactor, int32_t id);
  // Open connections of a reactor (-1 if it is gone); thread-safe.
  static int64_t LiveConnections(int32_t reactor);

  // Graceful stop: closes the listeners, then each connection once its output is written; the
  // last close emits kRecordStopped. CloseAll closes everything now.
  void Stop();
  void CloseAll();
  size_t ConnectionCount() const { return live_.load(std::memory_order_relaxed); }

 private:
  struct Connection {
    int fd = -1;
    int32_t id = 0;
    int listener = 0;
    uint32_t mask = 0;
    bool paused = false;     // above the high watermark: not reading
    bool held = false;       // the application asked not to read
    bool closing = false;    // close once output drains
    bool read_done = false;  // the peer sent FIN
    uint32_t round = 0;      // the round this connection was last read in (kqueue may report twice)
    // What the current batch presented to JavaScript, and how much of it the handler consumed.
    bool presented = false;
    bool presented_shared = false;
    bool consume_set = false;
    uint32_t presented_offset = 0;
    uint32_t presented_length = 0;
    uint32_t consumed = 0;
    InboundBuffer in;
    OutboundBuffer out;
  };
  struct Listener {
    int fd = -1;
    Transport transport = Transport::kTcp;
    std::string path;  // unix sockets are unlinked on close
  };
  enum class Owner : uint8_t { kNone, kListener, kConnection };
  struct Handle {
    Owner owner = Owner::kNone;
    int index = 0;
  };

  Connection* Find(int32_t id);
  void Emit(const Record& record);
  void Flush();
  void HandleListener(int index);
  void AcceptAll(int index);
  void ReceiveDatagrams(int index);
  void ShedAccept(int listen_fd);
  void HandleConnection(Connection* c, uint32_t mask);
  void ReadOnce(Connection* c);
  bool EnsureReadSpace(size_t want);
  // Sends `count` chunks in order, inline when nothing is pending; false if the connection failed
  // (it is then closed).
  bool Send(Connection* c, const struct iovec* chunks, int count);
  bool FlushPending(Connection* c);
  void UpdateInterest(Connection* c);
  void FinishIfDrained(Connection* c);
  void Destroy(Connection* c, int err, int32_t call);
  void SettleConsumption(int count);
  struct Message {
    enum class Kind : uint8_t { kAdopt, kWrite, kWake, kClose } kind;
    int32_t id;        // connection (kWrite, kWake, kClose)
    int fd;            // kAdopt
    int32_t listener;  // kAdopt: the accepting reactor's listener index
    std::vector<uint8_t> bytes;
  };
  static bool Post(int32_t reactor, Message&& message);
  void DrainInbox();
  void Adopt(int fd, int32_t listener, bool counted);
  int32_t PickTarget(const sockaddr_storage* peer);
  void CloseListeners();

  ReactorOptions options_;
  SharedMemory shared_;
  Dispatcher* dispatcher_;
  Poller poller_;
  std::vector<Handle> handles_;        // by descriptor
  std::vector<Connection*> slots_;     // by id & kSlotMask
  std::vector<uint32_t> free_slots_;
  std::vector<Listener> listeners_;
  std::vector<Record> deferred_;       // records emitted while JavaScript reads `records`
  std::atomic<size_t> live_{0};
  int record_count_ = 0;
  size_t read_offset_ = 0;
  bool dispatching_ = false;
  bool in_round_ = false;
  bool stopping_ = false;
  bool stopped_emitted_ = false;
  uint32_t round_ = 0;
  uint32_t generation_ = 0;
  int spare_fd_ = -1;
  std::mutex inbox_mutex_;
  std::vector<Message> inbox_;
  int32_t registry_id_ = 0;
  std::vector<int32_t> targets_;
  Balance balance_ = Balance::kRoundRobin;
  uint32_t next_target_ = 0;
  uint64_t random_state_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace nevio
