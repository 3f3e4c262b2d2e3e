// Socket chores, one small function each (in the spirit of Redis's anet.c). Every function
// returns a descriptor or 0 on success, and on failure -errno with `*failed` naming the call.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "protocol.h"

namespace nevio {

enum class Family { kAny, kIPv4, kIPv6 };

struct ListenSpec {
  std::string host;  // an IP literal; empty = every interface
  int port = 0;
  Family family = Family::kAny;
  std::string path;  // unix sockets
  int backlog = kDefaultBacklog;
  bool reuse_addr = true;
  bool reuse_port = false;
};

int ListenTcp(const ListenSpec& spec, const char** failed);
int BindUdp(const ListenSpec& spec, const char** failed);
int ListenUnix(const ListenSpec& spec, const char** failed);

// Starts a nonblocking, close-on-exec connect to an IP address and port (`path` empty) or a unix
// socket path: the descriptor, with the connection established or in progress (the socket turns
// writable when it is done; ConnectResult then tells how it went), or -errno.
struct DialSpec {
  std::string ip;
  int port = 0;
  std::string path;
};
int ConnectStream(const DialSpec& spec, const char** failed);
// The outcome of a connect in progress (SO_ERROR): 0 when connected, else the positive errno.
int ConnectResult(int fd);

// Accepts one pending connection as nonblocking and close-on-exec; the peer's address goes to
// `peer` when it is not null.
int AcceptConnection(int listen_fd, const char** failed, sockaddr_storage* peer = nullptr);

// Byte transfers: the count, or -errno (EINTR is retried; EAGAIN is the caller's to handle).
// Sends never raise SIGPIPE: MSG_NOSIGNAL, or SO_NOSIGPIPE set at accept on macOS.
ssize_t ReadSome(int fd, uint8_t* into, size_t length);
ssize_t SendChunks(int fd, const struct iovec* chunks, int count);
// One datagram; the sender's address goes to `from` (a sockaddr_storage's worth of bytes).
ssize_t ReceiveDatagram(int fd, uint8_t* into, size_t length, sockaddr_storage* from);
ssize_t SendDatagram(int fd, const uint8_t* bytes, size_t length, const sockaddr_storage& to);

inline bool WouldBlock(ssize_t rc) { return rc == -EAGAIN || rc == -EWOULDBLOCK; }

int SetNoDelay(int fd, bool on, const char** failed);
int SetKeepAlive(int fd, bool on, int idle_seconds, const char** failed);

// "ip" or a unix path, port (0 for unix) and family (4, 6, or 0 for unix) of a socket address.
struct Endpoint {
  std::string address;
  int port = 0;
  int family = 0;
};
Endpoint DescribeAddress(const sockaddr* addr, socklen_t len);
int LocalEndpoint(int fd, Endpoint* out, const char** failed);
int PeerEndpoint(int fd, Endpoint* out, const char** failed);

// Parses an IP literal and port into a socket address; false if the literal is not an IP.
bool MakeAddress(const std::string& ip, int port, sockaddr_storage* out, socklen_t* len);

}  // namespace nevio
