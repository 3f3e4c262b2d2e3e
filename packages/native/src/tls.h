// What the reactor knows of TLS: a context per listener or dial (TlsEndpoint) that makes one
// session per connection (TlsSession), both behind virtual calls. The implementation
// (tls_context.cc, tls_session.cc) uses the OpenSSL that Node ships and is compiled into the
// addon only, so the reactor library and its unit tests link no TLS library, and a plain
// connection pays one null-pointer test where the paths part (connection.cc, tls_reactor.cc).
//
// The record layer runs on the reactor's own buffers: ciphertext read from the socket is handed
// to the session as a borrowed slice (no copy into a BIO), plaintext is decrypted straight into
// the shared read buffer or the connection's inbound buffer, and ciphertext produced by a write,
// the handshake or close_notify goes to a TlsSink: the reactor's scratch, sent with the
// connection's ordinary inline write (tls_reactor.cc).
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nevio {

// Where a session's ciphertext goes. Put is called only while the reactor serves that connection.
class TlsSink {
 public:
  virtual ~TlsSink() = default;
  virtual void Put(const uint8_t* bytes, size_t length) = 0;
};

// Why a session failed: OpenSSL's reason ("wrong version number") and, when a certificate was
// refused, the verification's reason ("certificate has expired").
struct TlsFailure {
  std::string reason;
  std::string verify_error;
};

class TlsSession {
 public:
  virtual ~TlsSession() = default;
  // The handshake has not finished: the application has not seen the connection yet.
  virtual bool handshaking() const = 0;
  // close_notify was queued (once per session).
  virtual bool notified() const = 0;
  // Some ciphertext arrived (a peer that connects and leaves without a byte is no TLS failure:
  // port scanners and TCP health checks do that).
  virtual bool received_any() const = 0;
  // How long the handshake may take (its context's setting).
  virtual int64_t handshake_timeout_ms() const = 0;
  // Client side: writes the ClientHello. False on failure.
  virtual bool Start() = 0;
  // Feeds `length` bytes of ciphertext read from the socket (all are taken), runs the handshake
  // while it lasts (`*opened` is set in the call that completes it), then decrypts into
  // [plain, plain + capacity). Returns the plaintext bytes produced, or -1 on failure (Failure
  // says why). `*peer_closed` is set when the peer's close_notify arrived. Fails if the
  // plaintext would not fit: the caller gives capacity for `length` plus one buffered record.
  virtual ssize_t Receive(const uint8_t* cipher, size_t length, uint8_t* plain, size_t capacity, bool* opened,
                          bool* peer_closed) = 0;
  // Encrypts `chunks` in order (small ones gathered into one record). False on failure.
  virtual bool Send(const struct iovec* chunks, int count) = 0;
  // Queues close_notify, once; nothing while handshaking.
  virtual void Notify() = 0;
  // A record was cut off: part of one is buffered (for an EOF or reset: truncation, not a close).
  virtual bool MidRecord() const = 0;
  virtual TlsFailure Failure() const = 0;
};

// A TLS configuration (an SSL_CTX with its certificates, SNI table, ALPN list): reference
// counted, since listeners, dials and live sessions all hold it.
class TlsEndpoint {
 public:
  virtual void Ref() = 0;
  virtual void Unref() = 0;
  virtual bool server() const = 0;
  // A session writing to `sink`; `servername` is the SNI name and the name the peer's
  // certificate must carry (client side; empty: none). Null when OpenSSL could not make one.
  virtual TlsSession* NewSession(TlsSink* sink, const std::string& servername) = 0;
  // How long a handshake may take before the connection is closed.
  virtual int64_t handshake_timeout_ms() const = 0;

 protected:
  virtual ~TlsEndpoint() = default;
};

// The plaintext a session may produce beyond the ciphertext fed to it: what it had buffered of a
// record (at most 16 KiB of payload plus its overhead) rounded up generously.
constexpr size_t kTlsReadSlack = 64 * 1024;
// Default handshake timeout: 10 s. Node's tls.Server waits 120 s, which lets a peer that opens
// connections and never finishes a ClientHello hold a slot for two minutes each; a real client
// on a slow network completes the 1-2 round trips of a handshake in well under a second.
constexpr int64_t kDefaultTlsHandshakeMs = 10000;

class Connection;

// The reactor's TlsSink: the ciphertext a session produces while the reactor serves its
// connection, gathered in one scratch buffer (kept between calls, so no allocation per message)
// and sent with the connection's ordinary inline write, whose remainder goes to the outbound
// buffer. Large outputs (a 16 MiB write) are sent every kFlushAt bytes instead of gathered whole.
class TlsOutput final : public TlsSink {
 public:
  void Begin(Connection* c) {
    connection_ = c;
    error_ = 0;
  }
  void Put(const uint8_t* bytes, size_t length) override;
  // Sends what is gathered; 0, or -errno when the connection failed (it must then be closed).
  int Finish();

 private:
  void Drain();
  static constexpr size_t kFlushAt = 256 * 1024;
  Connection* connection_ = nullptr;
  std::vector<uint8_t> scratch_;
  int error_ = 0;
};

}  // namespace nevio
