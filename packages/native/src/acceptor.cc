// Accepting: the Acceptor's listener sockets, and the reactor's accept step — a budget per
// listener per round, the balancer's choice of loop, adopting a descriptor as a connection, and
// reading datagrams.
#include "acceptor.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "reactor.h"

namespace nevio {

namespace {

// UDP payloads are read whole: 64 KiB is the largest an IPv4/IPv6 datagram carries.
constexpr size_t kDatagramMax = 65536;
static_assert(sizeof(sockaddr_storage) <= kAddressSlot, "sockaddr_storage must fit its slot");
static_assert(kAddressSlot % alignof(sockaddr_storage) == 0, "payloads after the slot keep the alignment");

int OpenSpare() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

Acceptor::~Acceptor() {
  CloseAll([](int) {});
  if (spare_fd_ >= 0) close(spare_fd_);
}

void Acceptor::Open() { spare_fd_ = OpenSpare(); }

int Acceptor::Listen(Transport transport, const ListenSpec& spec, const char** failed) {
  int fd;
  switch (transport) {
    case Transport::kTcp: fd = ListenTcp(spec, failed); break;
    case Transport::kUdp: fd = BindUdp(spec, failed); break;
    default: fd = ListenUnix(spec, failed); break;
  }
  if (fd >= 0) listeners_.push_back({fd, transport, transport == Transport::kUnix ? spec.path : std::string()});
  return fd;
}

int Acceptor::fd(int index) const {
  return index >= 0 && index < count() ? listeners_[index].fd : -1;
}

int Acceptor::LocalAddress(int index, Endpoint* out, const char** failed) const {
  if (fd(index) < 0) {
    *failed = "getsockname";
    return -EBADF;
  }
  return LocalEndpoint(fd(index), out, failed);
}

int Acceptor::Accept(int index, sockaddr_storage* peer) {
  int listen_fd = listeners_[index].fd;
  for (;;) {
    const char* ignored;
    int fd = AcceptConnection(listen_fd, &ignored, peer);
    if (fd >= 0 || (fd != -ECONNABORTED && fd != -EPROTO)) {
      if (fd == -EMFILE || fd == -ENFILE) Shed(listen_fd);
      return fd;
    }
  }
}

void Acceptor::Shed(int listen_fd) {
  if (spare_fd_ >= 0) close(spare_fd_);
  const char* ignored;
  int fd;
  while ((fd = AcceptConnection(listen_fd, &ignored)) >= 0) close(fd);
  spare_fd_ = OpenSpare();
}

ssize_t Acceptor::SendTo(int index, const sockaddr_storage& to, const uint8_t* bytes, size_t length) const {
  if (fd(index) < 0) return -EBADF;
  return SendDatagram(fd(index), bytes, length, to);
}

void Acceptor::Close(Listener* l) {
  close(l->fd);
  l->fd = -1;
  if (!l->path.empty()) unlink(l->path.c_str());
}

// --- The reactor's accept step ---

int Reactor::Listen(Transport transport, const ListenSpec& spec, const char** failed) {
  int fd = acceptor_.Listen(transport, spec, failed);
  if (fd < 0) return fd;
  int index = acceptor_.count() - 1;
  int rc = poller_.Add(fd, kPollRead);
  if (rc < 0) {
    *failed = poller_.FailedCall();
    acceptor_.DropLast();
    return rc;
  }
  SetHandle(fd, {Owner::kListener, index});
  return index;
}

bool Reactor::Unlisten(int index) {
  int fd = acceptor_.fd(index);
  if (fd < 0) return false;
  // A failed Remove changes nothing here: closing the descriptor drops it from the poller too.
  poller_.Remove(fd, kPollRead);
  SetHandle(fd, {});
  acceptor_.Close(index);
  return true;
}

void Reactor::AcceptAll(int index) {
  bool want_peer = balancer_ != nullptr && balancer_->NeedsPeer();
  sockaddr_storage peer;
  for (int i = 0; i < options_.accept_budget; i++) {
    int fd = acceptor_.Accept(index, want_peer ? &peer : nullptr);
    if (fd < 0) {
      if (!WouldBlock(fd)) Emit({kRecordError, index, -fd, kCallAccept});
      return;
    }
    if (balancer_ != nullptr) {
      int32_t target = balancer_->Pick(want_peer ? &peer : nullptr);
      if (target != InboxId() && Inbox::Post(target, {Message::Kind::kAdopt, 0, fd, index, {}})) continue;
      // That loop is gone (its thread ended), or it is this one: this one serves the connection.
    }
    Adopt(fd, index, false);
  }
}

void Reactor::Adopt(int fd, int32_t listener, bool counted) {
  // A connection handed over was counted when it was posted (see Inbox::Post).
  if (!counted) inbox_->live().fetch_add(1, std::memory_order_relaxed);
  if (connections_.full()) {
    close(fd);  // a million connections: refuse rather than wrap ids
    inbox_->live().fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  ApplyStreamOptions(fd);
  int rc = poller_.Add(fd, kPollRead);
  if (rc < 0) {
    close(fd);
    inbox_->live().fetch_sub(1, std::memory_order_relaxed);
    Emit({kRecordError, listener, -rc, kCallAccept});
    return;
  }
  Connection* c = connections_.Insert(fd, listener);
  c->mask = kPollRead;
  SetHandle(fd, {Owner::kConnection, static_cast<int>(ConnectionTable::SlotOf(c->id()))});
  // A TLS listener's connection opens for the application when its handshake completes.
  if (TlsEndpoint* tls = ListenerTls(listener)) {
    BeginTls(c, tls, std::string());
    return;
  }
  Emit({kRecordOpen, c->id(), listener, 0});
}

void Reactor::ApplyStreamOptions(int fd) {
  sockaddr_storage local;
  socklen_t local_len = sizeof local;
  bool tcp = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 && local.ss_family != AF_UNIX;
  if (!tcp) return;
  // Best effort: a socket that refuses an option still works.
  const char* ignored;
  if (options_.no_delay) SetNoDelay(fd, true, &ignored);
  if (options_.keep_alive_seconds > 0) SetKeepAlive(fd, true, options_.keep_alive_seconds, &ignored);
}

void Reactor::ReceiveDatagrams(int index) {
  int fd = acceptor_.fd(index);
  for (int i = 0; i < options_.accept_budget; i++) {
    // Align the address slot so the kernel writes a sockaddr where one may live.
    read_offset_ = (read_offset_ + alignof(sockaddr_storage) - 1) & ~(alignof(sockaddr_storage) - 1);
    EnsureReadSpace(kAddressSlot + kDatagramMax);
    uint8_t* slot = shared_.read_buffer + read_offset_;
    ssize_t n = ReceiveDatagram(fd, slot + kAddressSlot, kDatagramMax, reinterpret_cast<sockaddr_storage*>(slot));
    if (n < 0) {
      if (!WouldBlock(n)) Emit({kRecordError, index, static_cast<int32_t>(-n), kCallRecv});
      return;
    }
    Emit({kRecordDatagram, index, static_cast<int32_t>(read_offset_ + kAddressSlot), static_cast<int32_t>(n)});
    read_offset_ += kAddressSlot + static_cast<size_t>(n);
  }
}

void Reactor::CloseListeners() {
  acceptor_.CloseAll([this](int fd) {
    poller_.Remove(fd, kPollRead);
    SetHandle(fd, {});
  });
}

}  // namespace nevio
