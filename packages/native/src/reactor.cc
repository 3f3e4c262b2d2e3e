#include "reactor.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

namespace nevio {

namespace {

// Connection ids are slot | generation << 20: a million live connections, and an id that
// JavaScript still holds after its connection closed does not match the slot's next occupant.
constexpr uint32_t kSlotBits = 20;
constexpr uint32_t kSlotMask = (1u << kSlotBits) - 1;
constexpr uint32_t kGenerationMask = 0x7ff;  // keeps ids positive int32

// writev accepts at most IOV_MAX chunks; a batch rarely stages more than a few per connection.
constexpr int kMaxChunks = 64;
// UDP payloads are read whole; the sender's address is stored just before each payload.
constexpr size_t kDatagramMax = 65536;
constexpr size_t kAddressSlot = 128;
static_assert(sizeof(sockaddr_storage) <= kAddressSlot, "sockaddr_storage must fit its slot");

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // SO_NOSIGPIPE is set on each socket instead
#endif

ssize_t SendChunks(int fd, const struct iovec* chunks, int count) {
  msghdr message{};
  message.msg_iov = const_cast<struct iovec*>(chunks);
  message.msg_iovlen = count;
  ssize_t n;
  do {
    n = sendmsg(fd, &message, kSendFlags);
  } while (n < 0 && errno == EINTR);
  return n;
}

bool WouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// Every reactor of the process by id (index + 1; null once destroyed), so that one thread can hand
// work to another's. Never freed: reactors of other threads may outlive static destruction.
std::mutex& registry_mutex = *new std::mutex;
std::vector<Reactor*>& registry = *new std::vector<Reactor*>;

}  // namespace

Reactor::Reactor(const ReactorOptions& options, const SharedMemory& shared, Dispatcher* dispatcher)
    : options_(options), shared_(shared), dispatcher_(dispatcher) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry.push_back(this);
  registry_id_ = static_cast<int32_t>(registry.size());
}

Reactor::~Reactor() {
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry[registry_id_ - 1] = nullptr;
  }
  for (Message& m : inbox_) {
    if (m.kind == Message::Kind::kAdopt) close(m.fd);
  }
  for (Connection* c : slots_) {
    if (c == nullptr) continue;
    close(c->fd);
    delete c;
  }
  CloseListeners();
  if (spare_fd_ >= 0) close(spare_fd_);
}

int Reactor::Open(const char** failed) {
  int rc = poller_.Open();
  if (rc < 0) {
    *failed = poller_.FailedCall();
    return rc;
  }
  // Kept for EMFILE: closing it frees one descriptor, enough to accept and drop a connection.
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  return 0;
}

Reactor::Connection* Reactor::Find(int32_t id) {
  uint32_t slot = static_cast<uint32_t>(id) & kSlotMask;
  if (id < 0 || slot >= slots_.size()) return nullptr;
  Connection* c = slots_[slot];
  return (c != nullptr && c->id == id) ? c : nullptr;
}

void Reactor::Emit(const Record& record) {
  // While JavaScript walks `records`, or when the array is full, records wait their turn.
  if (dispatching_ || record_count_ == shared_.max_records) {
    deferred_.push_back(record);
  } else {
    shared_.records[record_count_++] = record;
  }
  // Outside a round (a write or close made from JavaScript), the next round delivers it.
  if (!in_round_) poller_.Wake();
}

void Reactor::Flush() {
  while (record_count_ > 0) {
    int count = record_count_;
    dispatching_ = true;
    int ops = dispatcher_->Dispatch(count);
    if (ops > 0) ApplyOps(ops);
    SettleConsumption(count);
    dispatching_ = false;
    record_count_ = 0;
    read_offset_ = 0;
    size_t take = std::min(deferred_.size(), static_cast<size_t>(shared_.max_records));
    std::copy(deferred_.begin(), deferred_.begin() + take, shared_.records);
    deferred_.erase(deferred_.begin(), deferred_.begin() + take);
    record_count_ = static_cast<int>(take);
  }
}

void Reactor::RunOnce() {
  PollEvent events[1024];
  in_round_ = true;
  round_++;
  int n = poller_.Wait(events, 1024, 0);
  if (n < 0) {
    Emit({kRecordError, -1, -n, kCallNone});
    n = 0;
  }
  for (int i = 0; i < n; i++) {
    int fd = events[i].fd;
    if (fd == kWakeFd) {
      DrainInbox();
      continue;
    }
    if (fd < 0 || static_cast<size_t>(fd) >= handles_.size()) continue;
    Handle handle = handles_[fd];
    if (handle.owner == Owner::kListener) {
      HandleListener(handle.index);
    } else if (handle.owner == Owner::kConnection) {
      HandleConnection(slots_[handle.index], events[i].mask);
    }
  }
  Flush();
  in_round_ = false;
}

int Reactor::Listen(Transport transport, const ListenSpec& spec, const char** failed) {
  int fd;
  switch (transport) {
    case Transport::kTcp: fd = ListenTcp(spec, failed); break;
    case Transport::kUdp: fd = BindUdp(spec, failed); break;
    default: fd = ListenUnix(spec, failed); break;
  }
  if (fd < 0) return fd;
  int rc = poller_.Add(fd, kPollRead);
  if (rc < 0) {
    *failed = poller_.FailedCall();
    close(fd);
    return rc;
  }
  if (static_cast<size_t>(fd) >= handles_.size()) handles_.resize(fd + 1);
  handles_[fd] = {Owner::kListener, static_cast<int>(listeners_.size())};
  listeners_.push_back({fd, transport, transport == Transport::kUnix ? spec.path : std::string()});
  return static_cast<int>(listeners_.size()) - 1;
}

int Reactor::ListenerEndpoint(int index, Endpoint* out, const char** failed) {
  if (index < 0 || static_cast<size_t>(index) >= listeners_.size() || listeners_[index].fd < 0) {
    *failed = "getsockname";
    return -EBADF;
  }
  return LocalEndpoint(listeners_[index].fd, out, failed);
}

void Reactor::HandleListener(int index) {
  if (listeners_[index].transport == Transport::kUdp) {
    ReceiveDatagrams(index);
  } else {
    AcceptAll(index);
  }
}

void Reactor::AcceptAll(int index) {
  int listen_fd = listeners_[index].fd;
  bool hash = targets_.size() > 1 && balance_ == Balance::kSourceAddrHash;
  sockaddr_storage peer;
  for (int i = 0; i < options_.accept_budget; i++) {
    const char* failed = "";
    int fd = AcceptConnection(listen_fd, &failed, hash ? &peer : nullptr);
    if (fd < 0) {
      int err = -fd;
      if (WouldBlock(err)) return;
      // The peer gave up before we accepted; the next one may be fine.
      if (err == ECONNABORTED || err == EPROTO) continue;
      if (err == EMFILE || err == ENFILE) ShedAccept(listen_fd);
      Emit({kRecordError, index, err, kCallAccept});
      return;
    }
    int32_t target = targets_.size() > 1 ? PickTarget(hash ? &peer : nullptr) : registry_id_;
    if (target != registry_id_) {
      Message message{Message::Kind::kAdopt, 0, fd, index, {}};
      if (Post(target, std::move(message))) continue;
      // That loop is gone (its thread ended); this one serves the connection instead.
    }
    Adopt(fd, index, false);
  }
}

int32_t Reactor::PickTarget(const sockaddr_storage* peer) {
  size_t n = targets_.size();
  switch (balance_) {
    case Balance::kLeastConnections: {
      int32_t best = registry_id_;
      int64_t fewest = -1;
      for (int32_t target : targets_) {
        int64_t live = LiveConnections(target);
        if (live >= 0 && (fewest < 0 || live < fewest)) {
          fewest = live;
          best = target;
        }
      }
      return best;
    }
    case Balance::kSourceAddrHash: {
      // FNV-1a over the peer's IP (not its port): one client address always lands on one loop.
      uint64_t h = 1469598103934665603ull;
      const uint8_t* bytes = nullptr;
      size_t length = 0;
      if (peer->ss_family == AF_INET) {
        bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(peer)->sin_addr);
        length = 4;
      } else if (peer->ss_family == AF_INET6) {
        bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr);
        length = 16;
      }
      for (size_t i = 0; i < length; i++) h = (h ^ bytes[i]) * 1099511628211ull;
      return targets_[h % n];
    }
    case Balance::kRandom: {
      // xorshift64*: cheap, and good enough to spread connections.
      random_state_ ^= random_state_ >> 12;
      random_state_ ^= random_state_ << 25;
      random_state_ ^= random_state_ >> 27;
      return targets_[(random_state_ * 2685821657736338717ull >> 33) % n];
    }
    case Balance::kRoundRobin:
    default:
      return targets_[next_target_++ % n];
  }
}

void Reactor::Adopt(int fd, int32_t listener, bool counted) {
  // A connection handed over was counted when it was posted, so that least-connections sees
  // the connections still in flight.
  if (!counted) live_.fetch_add(1, std::memory_order_relaxed);
  if (free_slots_.empty() && slots_.size() > kSlotMask) {
    close(fd);  // a million connections: refuse rather than wrap ids
    live_.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  const char* ignored;
  sockaddr_storage local;
  socklen_t local_len = sizeof local;
  bool tcp = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 && local.ss_family != AF_UNIX;
  if (tcp) {
    // Best effort: a socket that refuses an option still works.
    if (options_.no_delay) SetNoDelay(fd, true, &ignored);
    if (options_.keep_alive_seconds > 0) SetKeepAlive(fd, true, options_.keep_alive_seconds, &ignored);
  }
  if (poller_.Add(fd, kPollRead) < 0) {
    int err = errno;
    close(fd);
    live_.fetch_sub(1, std::memory_order_relaxed);
    Emit({kRecordError, listener, err, kCallAccept});
    return;
  }
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(nullptr);
  }
  generation_ = (generation_ + 1) & kGenerationMask;
  auto* c = new Connection();
  c->fd = fd;
  c->id = static_cast<int32_t>(slot | (generation_ << kSlotBits));
  c->listener = listener;
  c->mask = kPollRead;
  slots_[slot] = c;
  if (static_cast<size_t>(fd) >= handles_.size()) handles_.resize(fd + 1);
  handles_[fd] = {Owner::kConnection, static_cast<int>(slot)};
  Emit({kRecordOpen, c->id, listener, 0});
}

void Reactor::ShedAccept(int listen_fd) {
  // Out of descriptors: the pending connections would keep the listener readable forever and
  // the loop would spin. Free the spare descriptor, accept and drop them, then take it back.
  if (spare_fd_ >= 0) close(spare_fd_);
  const char* ignored;
  int fd;
  while ((fd = AcceptConnection(listen_fd, &ignored)) >= 0) close(fd);
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void Reactor::ReceiveDatagrams(int index) {
  int fd = listeners_[index].fd;
  for (int i = 0; i < options_.accept_budget; i++) {
    // Align the address slot so reading it back as a sockaddr is well-defined.
    read_offset_ = (read_offset_ + 7) & ~static_cast<size_t>(7);
    EnsureReadSpace(kAddressSlot + kDatagramMax);
    uint8_t* slot = shared_.read_buffer + read_offset_;
    auto* addr = reinterpret_cast<sockaddr*>(slot);
    socklen_t addr_len = sizeof(sockaddr_storage);
    ssize_t n;
    do {
      n = recvfrom(fd, slot + kAddressSlot, kDatagramMax, 0, addr, &addr_len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (!WouldBlock(errno)) Emit({kRecordError, index, errno, kCallRecv});
      return;
    }
    Emit({kRecordDatagram, index, static_cast<int32_t>(read_offset_ + kAddressSlot), static_cast<int32_t>(n)});
    read_offset_ += kAddressSlot + static_cast<size_t>(n);
  }
}

bool Reactor::EnsureReadSpace(size_t want) {
  if (read_offset_ + want <= shared_.read_buffer_size) return false;
  // The batch so far fills the read buffer: hand it to JavaScript now and start over.
  Flush();
  return true;
}

void Reactor::HandleConnection(Connection* c, uint32_t mask) {
  bool hangup = (mask & kPollHangup) != 0;
  if (((mask & kPollWrite) || hangup) && !c->out.empty()) {
    if (!FlushPending(c)) return;
  }
  if ((mask & kPollRead) || hangup) {
    if (!c->read_done && !c->closing && !c->paused && !c->held && c->round != round_) ReadOnce(c);
  }
}

void Reactor::ReadOnce(Connection* c) {
  int32_t id = c->id;
  if (c->in.empty() && EnsureReadSpace(options_.read_chunk)) {
    // The dispatch that made room may have closed or detached this connection.
    c = Find(id);
    if (c == nullptr || c->closing || c->paused || c->held) return;
  }
  c->round = round_;
  bool shared = c->in.empty();
  if (!shared && c->in.size() + options_.read_chunk > options_.max_inbound) {
    Destroy(c, ENOBUFS, kCallRead);
    return;
  }
  uint8_t* target = shared ? shared_.read_buffer + read_offset_ : c->in.Reserve(options_.read_chunk);
  ssize_t n;
  do {
    n = read(c->fd, target, options_.read_chunk);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    c->presented = true;
    c->presented_shared = shared;
    c->consume_set = false;
    if (shared) {
      c->presented_offset = static_cast<uint32_t>(read_offset_);
      c->presented_length = static_cast<uint32_t>(n);
      read_offset_ += static_cast<size_t>(n);
      Emit({kRecordData, id, static_cast<int32_t>(c->presented_offset), static_cast<int32_t>(n)});
    } else {
      c->in.Commit(static_cast<size_t>(n));
      c->presented_length = static_cast<uint32_t>(c->in.size());
      Emit({kRecordInbound, id, 0, static_cast<int32_t>(c->presented_length)});
    }
    return;
  }
  if (n == 0) {
    c->read_done = true;
    if (options_.allow_half_open) {
      // The application may still answer what it received (an async handler); it closes.
      UpdateInterest(c);
      Emit({kRecordEnd, id, 0, 0});
      return;
    }
    // The peer finished sending; what we still owe it is written before we close.
    c->closing = true;
    FinishIfDrained(c);
    return;
  }
  if (WouldBlock(errno)) return;
  Destroy(c, errno, kCallRead);
}

bool Reactor::Send(Connection* c, const struct iovec* chunks, int count) {
  int first = 0;
  size_t skip = 0;
  if (c->out.empty()) {
    ssize_t n = SendChunks(c->fd, chunks, count);
    if (n < 0) {
      if (!WouldBlock(errno)) {
        Destroy(c, errno, kCallWrite);
        return false;
      }
      n = 0;
    }
    size_t written = static_cast<size_t>(n);
    while (first < count && written >= chunks[first].iov_len) written -= chunks[first++].iov_len;
    skip = written;
  }
  for (int i = first; i < count; i++) {
    const auto* base = static_cast<const uint8_t*>(chunks[i].iov_base);
    c->out.Append(base + (i == first ? skip : 0), chunks[i].iov_len - (i == first ? skip : 0));
  }
  if (!c->out.empty()) UpdateInterest(c);
  return true;
}

bool Reactor::FlushPending(Connection* c) {
  struct iovec chunk = {const_cast<uint8_t*>(c->out.data()), c->out.size()};
  ssize_t n = SendChunks(c->fd, &chunk, 1);
  if (n < 0) {
    if (WouldBlock(errno)) return true;
    Destroy(c, errno, kCallWrite);
    return false;
  }
  c->out.Consume(static_cast<size_t>(n));
  if (c->closing && c->out.empty()) {
    Destroy(c, 0, kCallNone);
    return false;
  }
  UpdateInterest(c);
  return true;
}

void Reactor::UpdateInterest(Connection* c) {
  uint32_t want = 0;
  if (!c->closing) {
    // A half-open connection no longer reads, but its writer still wants to hear about drains.
    size_t pending = c->out.size();
    if (c->paused && pending <= options_.low_watermark) {
      c->paused = false;
      Emit({kRecordDrained, c->id, 0, 0});
    }
    if (!c->paused && pending > options_.high_watermark) c->paused = true;
    if (!c->paused && !c->held && !c->read_done) want |= kPollRead;
  }
  if (!c->out.empty()) want |= kPollWrite;
  if (want == c->mask) return;
  if (poller_.Modify(c->fd, c->mask, want) < 0) {
    Destroy(c, errno ? errno : EBADF, kCallNone);
    return;
  }
  c->mask = want;
}

void Reactor::FinishIfDrained(Connection* c) {
  if (c->closing && c->out.empty()) {
    Destroy(c, 0, kCallNone);
  } else {
    UpdateInterest(c);
  }
}

void Reactor::Destroy(Connection* c, int err, int32_t call) {
  poller_.Remove(c->fd, c->mask);
  if (err == 0 && !c->read_done) {
    // Closing with unread input makes the kernel send RST, which can destroy the reply we just
    // wrote before the peer reads it. Say FIN first and drop what is already here.
    shutdown(c->fd, SHUT_WR);
    uint8_t scratch[4096];
    for (int i = 0; i < 16 && read(c->fd, scratch, sizeof scratch) > 0; i++) {
    }
  }
  close(c->fd);
  handles_[c->fd] = {};
  uint32_t slot = static_cast<uint32_t>(c->id) & kSlotMask;
  slots_[slot] = nullptr;
  free_slots_.push_back(slot);
  Emit({kRecordClosed, c->id, err, call});
  delete c;
  live_.fetch_sub(1, std::memory_order_relaxed);
  if (stopping_ && ConnectionCount() == 0 && !stopped_emitted_) {
    stopped_emitted_ = true;
    Emit({kRecordStopped, 0, 0, 0});
  }
}

void Reactor::ApplyOps(int count) {
  struct iovec chunks[kMaxChunks];
  for (int i = 0; i < count;) {
    const Record& op = shared_.ops[i];
    Connection* c = Find(op.id);
    if (op.kind == kOpWrite) {
      // Consecutive writes to one connection go out in one writev.
      int n = 0;
      while (i < count && n < kMaxChunks && shared_.ops[i].kind == kOpWrite && shared_.ops[i].id == op.id) {
        chunks[n].iov_base = const_cast<uint8_t*>(shared_.stage + shared_.ops[i].a);
        chunks[n].iov_len = static_cast<size_t>(shared_.ops[i].b);
        n++;
        i++;
      }
      if (c != nullptr && !c->closing) Send(c, chunks, n);
      continue;
    }
    i++;
    if (c == nullptr) continue;
    if (op.kind == kOpClose) {
      c->closing = true;
      FinishIfDrained(c);
    } else if (op.kind == kOpConsume && c->presented) {
      c->consumed = static_cast<uint32_t>(op.a);
      c->consume_set = true;
    }
  }
}

void Reactor::SettleConsumption(int count) {
  for (int i = 0; i < count; i++) {
    const Record& r = shared_.records[i];
    if (r.kind != kRecordData && r.kind != kRecordInbound && r.kind != kRecordWake) continue;
    Connection* c = Find(r.id);
    if (c == nullptr || !c->presented) continue;
    c->presented = false;
    uint32_t consumed = c->consume_set ? std::min(c->consumed, c->presented_length) : c->presented_length;
    c->consume_set = false;
    if (c->presented_shared) {
      uint32_t tail = c->presented_length - consumed;
      if (tail > 0) c->in.Append(shared_.read_buffer + c->presented_offset + consumed, tail);
    } else {
      c->in.Consume(consumed);
    }
  }
}

void Reactor::DrainInbox() {
  std::vector<Message> messages;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    messages.swap(inbox_);
  }
  for (Message& m : messages) {
    switch (m.kind) {
      case Message::Kind::kAdopt:
        if (stopping_) {
          close(m.fd);
          live_.fetch_sub(1, std::memory_order_relaxed);
        } else {
          Adopt(m.fd, m.listener, true);
        }
        break;
      case Message::Kind::kWrite:
        Write(m.id, m.bytes.data(), m.bytes.size());
        break;
      case Message::Kind::kClose:
        Close(m.id);
        break;
      case Message::Kind::kWake: {
        Connection* c = Find(m.id);
        // Already presented this round (read before the wake was seen): that react covers it.
        if (c == nullptr || c->closing || c->presented) break;
        c->presented = true;
        c->presented_shared = false;
        c->consume_set = false;
        c->presented_length = static_cast<uint32_t>(c->in.size());
        Emit({kRecordWake, m.id, 0, static_cast<int32_t>(c->presented_length)});
        break;
      }
    }
  }
}

void Reactor::Wake(int32_t id) { PostWake(registry_id_, id); }

bool Reactor::Post(int32_t reactor, Message&& message) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  if (reactor <= 0 || static_cast<size_t>(reactor) > registry.size()) return false;
  Reactor* target = registry[reactor - 1];
  if (target == nullptr) return false;
  if (message.kind == Message::Kind::kAdopt) target->live_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> inbox_lock(target->inbox_mutex_);
    target->inbox_.push_back(std::move(message));
  }
  target->poller_.Wake();
  return true;
}

bool Reactor::PostWrite(int32_t reactor, int32_t id, const uint8_t* bytes, size_t length) {
  return Post(reactor, {Message::Kind::kWrite, id, -1, 0, std::vector<uint8_t>(bytes, bytes + length)});
}

bool Reactor::PostWake(int32_t reactor, int32_t id) { return Post(reactor, {Message::Kind::kWake, id, -1, 0, {}}); }

bool Reactor::PostClose(int32_t reactor, int32_t id) { return Post(reactor, {Message::Kind::kClose, id, -1, 0, {}}); }

int64_t Reactor::LiveConnections(int32_t reactor) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  if (reactor <= 0 || static_cast<size_t>(reactor) > registry.size() || registry[reactor - 1] == nullptr) return -1;
  return static_cast<int64_t>(registry[reactor - 1]->ConnectionCount());
}

void Reactor::SetBalancer(const std::vector<int32_t>& targets, Balance balance) {
  targets_ = targets;
  balance_ = balance;
}

int64_t Reactor::Write(int32_t id, const uint8_t* bytes, size_t length) {
  Connection* c = Find(id);
  if (c == nullptr || c->closing) return -1;
  struct iovec chunk = {const_cast<uint8_t*>(bytes), length};
  if (!Send(c, &chunk, 1)) return -1;
  return static_cast<int64_t>(c->out.size());
}

bool Reactor::Close(int32_t id) {
  Connection* c = Find(id);
  if (c == nullptr) return false;
  c->closing = true;
  FinishIfDrained(c);
  return true;
}

int Reactor::Detach(int32_t id, std::vector<uint8_t>* pending_output) {
  Connection* c = Find(id);
  if (c == nullptr) return -1;
  poller_.Remove(c->fd, c->mask);
  pending_output->assign(c->out.data(), c->out.data() + c->out.size());
  int fd = c->fd;
  handles_[fd] = {};
  uint32_t slot = static_cast<uint32_t>(c->id) & kSlotMask;
  slots_[slot] = nullptr;
  free_slots_.push_back(slot);
  delete c;
  live_.fetch_sub(1, std::memory_order_relaxed);
  if (stopping_ && ConnectionCount() == 0 && !stopped_emitted_) {
    stopped_emitted_ = true;
    Emit({kRecordStopped, 0, 0, 0});
  }
  return fd;
}

Blob* Reactor::Inbound(int32_t id, size_t* offset, size_t* length) {
  Connection* c = Find(id);
  if (c == nullptr || c->in.empty()) return nullptr;
  c->in.blob()->Ref();
  *offset = c->in.start();
  *length = c->in.size();
  return c->in.blob();
}

int64_t Reactor::OutboundSize(int32_t id) {
  Connection* c = Find(id);
  return c == nullptr ? -1 : static_cast<int64_t>(c->out.size());
}

bool Reactor::SetReading(int32_t id, bool on) {
  Connection* c = Find(id);
  if (c == nullptr) return false;
  c->held = !on;
  UpdateInterest(c);
  return true;
}

int Reactor::SetNoDelay(int32_t id, bool on, const char** failed) {
  Connection* c = Find(id);
  if (c == nullptr) {
    *failed = "setsockopt";
    return -EBADF;
  }
  return nevio::SetNoDelay(c->fd, on, failed);
}

int Reactor::SetKeepAlive(int32_t id, bool on, int seconds, const char** failed) {
  Connection* c = Find(id);
  if (c == nullptr) {
    *failed = "setsockopt";
    return -EBADF;
  }
  return nevio::SetKeepAlive(c->fd, on, seconds, failed);
}

int Reactor::LocalAddress(int32_t id, Endpoint* out, const char** failed) {
  Connection* c = Find(id);
  if (c == nullptr) {
    *failed = "getsockname";
    return -EBADF;
  }
  return LocalEndpoint(c->fd, out, failed);
}

int Reactor::PeerAddress(int32_t id, Endpoint* out, const char** failed) {
  Connection* c = Find(id);
  if (c == nullptr) {
    *failed = "getpeername";
    return -EBADF;
  }
  return PeerEndpoint(c->fd, out, failed);
}

int Reactor::SendTo(int listener, const uint8_t* addr, const uint8_t* bytes, size_t length, const char** failed) {
  *failed = "sendto";
  if (listener < 0 || static_cast<size_t>(listener) >= listeners_.size() || listeners_[listener].fd < 0) return -EBADF;
  sockaddr_storage to;
  std::memcpy(&to, addr, sizeof to);
  socklen_t to_len = to.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  ssize_t n;
  do {
    n = sendto(listeners_[listener].fd, bytes, length, kSendFlags, reinterpret_cast<sockaddr*>(&to), to_len);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : static_cast<int>(n);
}

void Reactor::CloseListeners() {
  for (Listener& l : listeners_) {
    if (l.fd < 0) continue;
    poller_.Remove(l.fd, kPollRead);
    close(l.fd);
    handles_[l.fd] = {};
    l.fd = -1;
    if (!l.path.empty()) unlink(l.path.c_str());
  }
}

void Reactor::Stop() {
  stopping_ = true;
  CloseListeners();
  for (Connection* c : slots_) {
    if (c == nullptr) continue;
    c->closing = true;
    FinishIfDrained(c);
  }
  if (ConnectionCount() == 0 && !stopped_emitted_) {
    stopped_emitted_ = true;
    Emit({kRecordStopped, 0, 0, 0});
  }
}

void Reactor::CloseAll() {
  for (Connection* c : slots_) {
    if (c != nullptr) Destroy(c, 0, kCallNone);
  }
}

}  // namespace nevio
