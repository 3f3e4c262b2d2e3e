#include "socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

namespace nevio {

namespace {

int Fail(const char* call, const char** failed) {
  int err = errno;
  *failed = call;
  return -err;
}

// Closes `fd` without letting close() clobber the errno of the call that failed.
int FailAndClose(int fd, const char* call, const char** failed) {
  int rc = Fail(call, failed);
  close(fd);
  return rc;
}

[[maybe_unused]] int MakeNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
  return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int OpenSocket(int domain, int type) {
#ifdef SOCK_NONBLOCK
  return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
  int fd = socket(domain, type, 0);
  if (fd >= 0 && MakeNonBlocking(fd) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
#endif
}

int SetFlag(int fd, int level, int option, bool on) {
  int value = on ? 1 : 0;
  return setsockopt(fd, level, option, &value, sizeof value);
}

// Resolves the address to bind: an empty host means every interface, dual-stack for kAny.
bool BindAddress(const ListenSpec& spec, sockaddr_storage* addr, socklen_t* len) {
  std::string host = spec.host;
  if (host.empty()) host = spec.family == Family::kIPv4 ? "0.0.0.0" : "::";
  return MakeAddress(host, spec.port, addr, len);
}

int OpenBound(const ListenSpec& spec, int type, const char** failed) {
  sockaddr_storage addr;
  socklen_t len;
  if (!BindAddress(spec, &addr, &len)) {
    errno = EINVAL;
    return Fail("inet_pton", failed);
  }
  int fd = OpenSocket(addr.ss_family, type);
  if (fd < 0) return Fail("socket", failed);
  if (spec.reuse_addr && SetFlag(fd, SOL_SOCKET, SO_REUSEADDR, true) < 0) {
    return FailAndClose(fd, "setsockopt", failed);
  }
#ifdef SO_REUSEPORT
  if (spec.reuse_port && SetFlag(fd, SOL_SOCKET, SO_REUSEPORT, true) < 0) {
    return FailAndClose(fd, "setsockopt", failed);
  }
#else
  if (spec.reuse_port) {
    close(fd);
    errno = ENOTSUP;
    return Fail("setsockopt", failed);
  }
#endif
  // An unspecified host accepts IPv4 too (like Node's net and Go's net.Listen); an explicit
  // IPv6 literal or tcp6:// stays IPv6-only.
  if (addr.ss_family == AF_INET6 &&
      SetFlag(fd, IPPROTO_IPV6, IPV6_V6ONLY, !(spec.host.empty() && spec.family == Family::kAny)) < 0) {
    return FailAndClose(fd, "setsockopt", failed);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) < 0) return FailAndClose(fd, "bind", failed);
  return fd;
}

}  // namespace

bool MakeAddress(const std::string& ip, int port, sockaddr_storage* out, socklen_t* len) {
  memset(out, 0, sizeof *out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *v4;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *v6;
    return true;
  }
  return false;
}

int ListenTcp(const ListenSpec& spec, const char** failed) {
  int fd = OpenBound(spec, SOCK_STREAM, failed);
  if (fd < 0) return fd;
  if (listen(fd, spec.backlog) < 0) return FailAndClose(fd, "listen", failed);
  return fd;
}

int BindUdp(const ListenSpec& spec, const char** failed) {
  return OpenBound(spec, SOCK_DGRAM, failed);
}

int ListenUnix(const ListenSpec& spec, const char** failed) {
  sockaddr_un addr{};
  if (spec.path.size() >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return Fail("bind", failed);
  }
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, spec.path.c_str(), spec.path.size() + 1);
  int fd = OpenSocket(AF_UNIX, SOCK_STREAM);
  if (fd < 0) return Fail("socket", failed);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return FailAndClose(fd, "bind", failed);
  if (listen(fd, spec.backlog) < 0) return FailAndClose(fd, "listen", failed);
  return fd;
}

int ConnectStream(const DialSpec& spec, const char** failed) {
  sockaddr_storage addr;
  socklen_t len;
  if (spec.path.empty()) {
    if (!MakeAddress(spec.ip, spec.port, &addr, &len)) {
      errno = EINVAL;
      return Fail("inet_pton", failed);
    }
  } else {
    auto* un = reinterpret_cast<sockaddr_un*>(&addr);
    if (spec.path.size() >= sizeof un->sun_path) {
      errno = ENAMETOOLONG;
      return Fail("connect", failed);
    }
    memset(&addr, 0, sizeof addr);
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, spec.path.c_str(), spec.path.size() + 1);
    len = sizeof *un;
  }
  int fd = OpenSocket(addr.ss_family, SOCK_STREAM);
  if (fd < 0) return Fail("socket", failed);
#ifdef SO_NOSIGPIPE
  SetFlag(fd, SOL_SOCKET, SO_NOSIGPIPE, true);
#endif
  int rc;
  do {
    rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
  } while (rc < 0 && errno == EINTR);
  // EINPROGRESS: TCP's handshake is under way. A unix socket whose listener's backlog is full
  // answers EAGAIN instead of waiting: that is a failure to report, like Node does.
  if (rc < 0 && errno != EINPROGRESS) return FailAndClose(fd, "connect", failed);
  return fd;
}

int ConnectResult(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}

int AcceptConnection(int listen_fd, const char** failed, sockaddr_storage* peer) {
  int fd;
  do {
    socklen_t len = sizeof(sockaddr_storage);
    sockaddr* addr = reinterpret_cast<sockaddr*>(peer);
#if defined(__linux__) || defined(__FreeBSD__)
    fd = accept4(listen_fd, addr, addr ? &len : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    fd = accept(listen_fd, addr, addr ? &len : nullptr);
    if (fd >= 0 && MakeNonBlocking(fd) < 0) {
      int err = errno;
      close(fd);
      errno = err;
      fd = -1;
    }
#endif
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Fail("accept", failed);
#ifdef SO_NOSIGPIPE
  // macOS has no MSG_NOSIGNAL; without this a write to a reset peer would raise SIGPIPE.
  SetFlag(fd, SOL_SOCKET, SO_NOSIGPIPE, true);
#endif
  return fd;
}

namespace {

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // SO_NOSIGPIPE is set on each socket instead
#endif

// Retries `call` while it fails with EINTR; returns its result or -errno.
template <typename Call>
ssize_t Retrying(Call call) {
  ssize_t n;
  do {
    n = call();
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

}  // namespace

ssize_t ReadSome(int fd, uint8_t* into, size_t length) {
  return Retrying([&] { return read(fd, into, length); });
}

ssize_t SendChunks(int fd, const struct iovec* chunks, int count) {
  msghdr message{};
  message.msg_iov = const_cast<struct iovec*>(chunks);
  message.msg_iovlen = count;
  return Retrying([&] { return sendmsg(fd, &message, kSendFlags); });
}

ssize_t ReceiveDatagram(int fd, uint8_t* into, size_t length, sockaddr_storage* from) {
  return Retrying([&] {
    socklen_t from_len = sizeof *from;
    return recvfrom(fd, into, length, 0, reinterpret_cast<sockaddr*>(from), &from_len);
  });
}

ssize_t SendDatagram(int fd, const uint8_t* bytes, size_t length, const sockaddr_storage& to) {
  socklen_t to_len = to.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  return Retrying([&] { return sendto(fd, bytes, length, kSendFlags, reinterpret_cast<const sockaddr*>(&to), to_len); });
}

int SetNoDelay(int fd, bool on, const char** failed) {
  return SetFlag(fd, IPPROTO_TCP, TCP_NODELAY, on) < 0 ? Fail("setsockopt", failed) : 0;
}

int SetKeepAlive(int fd, bool on, int idle_seconds, const char** failed) {
  if (SetFlag(fd, SOL_SOCKET, SO_KEEPALIVE, on) < 0) return Fail("setsockopt", failed);
  if (!on || idle_seconds <= 0) return 0;
#if defined(TCP_KEEPIDLE)
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, sizeof idle_seconds) < 0) {
    return Fail("setsockopt", failed);
  }
#elif defined(TCP_KEEPALIVE)
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &idle_seconds, sizeof idle_seconds) < 0) {
    return Fail("setsockopt", failed);
  }
#endif
  return 0;
}

Endpoint DescribeAddress(const sockaddr* addr, socklen_t len) {
  Endpoint out;
  char text[INET6_ADDRSTRLEN] = "";
  if (addr->sa_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    out.address = text;
    out.port = ntohs(v4->sin_port);
    out.family = 4;
  } else if (addr->sa_family == AF_INET6) {
    auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    out.address = text;
    out.port = ntohs(v6->sin6_port);
    out.family = 6;
  } else if (addr->sa_family == AF_UNIX) {
    auto* un = reinterpret_cast<const sockaddr_un*>(addr);
    size_t max = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
    out.address.assign(un->sun_path, strnlen(un->sun_path, max));
  }
  return out;
}

int LocalEndpoint(int fd, Endpoint* out, const char** failed) {
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return Fail("getsockname", failed);
  *out = DescribeAddress(reinterpret_cast<sockaddr*>(&addr), len);
  return 0;
}

int PeerEndpoint(int fd, Endpoint* out, const char** failed) {
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return Fail("getpeername", failed);
  *out = DescribeAddress(reinterpret_cast<sockaddr*>(&addr), len);
  return 0;
}

}  // namespace nevio
