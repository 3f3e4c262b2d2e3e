// The listening side of a reactor: its listener sockets and the spare descriptor that keeps
// accept from spinning when the process runs out of descriptors. The reactor's accept step
// (budget, balancing, adopting, datagrams) is in acceptor.cc too.
#pragma once

#include <sys/socket.h>

#include <string>
#include <vector>

#include "socket.h"

namespace nevio {

enum class Transport { kTcp, kUdp, kUnix };

class Acceptor {
 public:
  Acceptor() = default;
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;
  ~Acceptor();  // closes what CloseAll has not

  // Takes the spare descriptor; without one (the process is already out of them) accepting
  // still works, it just cannot shed a backlog on EMFILE.
  void Open();
  // Opens a listener as index count(); returns its descriptor or -errno.
  int Listen(Transport transport, const ListenSpec& spec, const char** failed);
  int count() const { return static_cast<int>(listeners_.size()); }
  // The listener's descriptor; -1 when closed or out of range.
  int fd(int index) const;
  bool datagram(int index) const { return listeners_[index].transport == Transport::kUdp; }
  int LocalAddress(int index, Endpoint* out, const char** failed) const;

  // Accepts one pending connection of stream listener `index`: its descriptor, or -errno, -EAGAIN
  // when none is left. Connections their peers gave up on before we accepted (ECONNABORTED,
  // EPROTO) are skipped. Out of descriptors (EMFILE, ENFILE), the pending connections would keep
  // the listener readable for ever and the loop would spin: they are accepted and closed, with
  // the descriptor the spare frees (libuv's trick), and the error is returned.
  int Accept(int index, sockaddr_storage* peer);
  // Sends one datagram from UDP listener `index`; the count or -errno (EBADF: no such listener).
  ssize_t SendTo(int index, const sockaddr_storage& to, const uint8_t* bytes, size_t length) const;

  // Closes one listener; its index stays taken, so the later ones keep theirs.
  void Close(int index) { Close(&listeners_[index]); }
  // Closes the listener opened last and frees its index (its registration failed: JavaScript
  // never learnt the index, and the next listener must get it).
  void DropLast() {
    Close(&listeners_.back());
    listeners_.pop_back();
  }
  // Closes every listener (unix socket files are unlinked); `forget(fd)` runs before each close.
  template <typename Forget>
  void CloseAll(Forget forget) {
    for (Listener& l : listeners_) {
      if (l.fd < 0) continue;
      forget(l.fd);
      Close(&l);
    }
  }

 private:
  struct Listener {
    int fd = -1;
    Transport transport = Transport::kTcp;
    std::string path;  // unix sockets are unlinked on close
  };
  static void Close(Listener* l);
  void Shed(int listen_fd);

  std::vector<Listener> listeners_;
  int spare_fd_ = -1;
};

}  // namespace nevio
