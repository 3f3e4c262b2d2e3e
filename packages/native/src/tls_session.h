// One connection's TLS on OpenSSL: an SSL whose BIO reads the ciphertext slice the reactor
// just read (borrowed, never copied into a BIO buffer) and writes ciphertext to the reactor's
// TlsSink. What conn.tls reports (protocol, cipher, ALPN, peer certificate) is read from here.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "tls.h"

namespace nevio {

class TlsContext;

class OpenSslSession final : public TlsSession {
 public:
  // Null when OpenSSL cannot make the SSL (out of memory). Holds a reference to `owner`, whose
  // callbacks (SNI, ALPN) the SSL may call.
  static OpenSslSession* Create(TlsContext* owner, SSL_CTX* ctx, TlsSink* sink, const std::string& servername);
  ~OpenSslSession() override;

  bool handshaking() const override { return handshaking_; }
  bool notified() const override { return notified_; }
  bool received_any() const override { return received_any_; }
  int64_t handshake_timeout_ms() const override;
  bool Start() override;
  ssize_t Receive(const uint8_t* cipher, size_t length, uint8_t* plain, size_t capacity, bool* opened,
                  bool* peer_closed) override;
  bool Send(const struct iovec* chunks, int count) override;
  void Notify() override;
  bool MidRecord() const override;
  TlsFailure Failure() const override { return failure_; }

  const SSL* ssl() const { return ssl_; }
  SSL* ssl() { return ssl_; }
  const std::string& servername() const { return servername_; }

 private:
  OpenSslSession(TlsContext* owner, TlsSink* sink) : owner_(owner), sink_(sink) {}
  // Runs the handshake on the input fed so far; false on failure.
  bool Handshake(bool* opened);
  // Records why the last SSL call failed (`rc` is its return) and returns false.
  bool Failed(int rc, const char* fallback);
  bool WriteAll(const uint8_t* bytes, size_t length);

  static int BioRead(BIO* bio, char* out, size_t length, size_t* read);
  static int BioWrite(BIO* bio, const char* in, size_t length, size_t* written);
  static long BioCtrl(BIO* bio, int cmd, long num, void* ptr);
  static BIO_METHOD* Method();

  TlsContext* owner_;
  TlsSink* sink_;
  SSL* ssl_ = nullptr;
  std::string servername_;
  const uint8_t* input_ = nullptr;  // the slice being fed, during Receive only
  size_t input_length_ = 0;
  bool handshaking_ = true;
  bool notified_ = false;
  bool received_any_ = false;
  TlsFailure failure_;
};

}  // namespace nevio
