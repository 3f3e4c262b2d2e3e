// OpenSslSession: the handshake, decryption into the reactor's buffers, encryption into its
// sink, close_notify, and the BIO that connects OpenSSL to both without buffers of its own.
#include "tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>

#include "tls_context.h"

namespace nevio {

namespace {

// TLS's largest record payload: smaller writes of one batch are gathered up to this, so 16
// pipelined replies become one record (one MAC, one header) instead of sixteen.
constexpr size_t kMaxRecordPayload = 16384;

// Per thread (each reactor has its own): where small writes are gathered. Allocated with the
// thread, so gathering allocates nothing.
thread_local uint8_t gather_buffer[kMaxRecordPayload];

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

BIO_METHOD* OpenSslSession::Method() {
  // Made once per process (C++ static initialisation is thread-safe) and never freed.
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "nevio reactor");
    if (m != nullptr &&
        (BIO_meth_set_read_ex(m, &BioRead) != 1 || BIO_meth_set_write_ex(m, &BioWrite) != 1 || BIO_meth_set_ctrl(m, &BioCtrl) != 1)) {
      BIO_meth_free(m);
      m = nullptr;
    }
    return m;
  }();
  return method;
}

OpenSslSession* OpenSslSession::Create(TlsContext* owner, SSL_CTX* ctx, TlsSink* sink, const std::string& servername) {
  ERR_clear_error();
  owner->Ref();
  auto* self = new OpenSslSession(owner, sink);
  self->ssl_ = SSL_new(ctx);
  BIO* bio = Method() != nullptr ? BIO_new(Method()) : nullptr;
  if (self->ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    delete self;
    ERR_clear_error();
    return nullptr;
  }
  BIO_set_data(bio, self);
  BIO_set_init(bio, 1);
  SSL_set_bio(self->ssl_, bio, bio);  // one BIO both ways: the SSL owns it
  if (owner->server()) {
    SSL_set_accept_state(self->ssl_);
    return self;
  }
  SSL_set_connect_state(self->ssl_);
  if (!servername.empty()) {
    self->servername_ = servername;
    bool ok;
    if (IsIpLiteral(servername)) {
      // RFC 6066: no SNI for an IP address; the certificate must name the IP instead.
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(self->ssl_), servername.c_str()) == 1;
    } else {
      ok = SSL_set_tlsext_host_name(self->ssl_, servername.c_str()) == 1 && SSL_set1_host(self->ssl_, servername.c_str()) == 1;
    }
    if (!ok) {
      delete self;
      ERR_clear_error();
      return nullptr;
    }
  }
  return self;
}

OpenSslSession::~OpenSslSession() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  owner_->Unref();
}

int64_t OpenSslSession::handshake_timeout_ms() const { return owner_->handshake_timeout_ms(); }

bool OpenSslSession::Failed(int rc, const char* fallback) {
  int kind = SSL_get_error(ssl_, rc);
  failure_.reason = TakeOpenSslError(kind == SSL_ERROR_SYSCALL ? "unexpected end of the TLS stream" : fallback);
  long verified = SSL_get_verify_result(ssl_);
  if (verified != X509_V_OK) failure_.verify_error = X509_verify_cert_error_string(verified);
  return false;
}

bool OpenSslSession::Handshake(bool* opened) {
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    handshaking_ = false;
    *opened = true;
    return true;
  }
  if (SSL_get_error(ssl_, rc) == SSL_ERROR_WANT_READ) return true;
  return Failed(rc, "handshake failed");
}

bool OpenSslSession::Start() {
  ERR_clear_error();
  bool opened = false;
  return Handshake(&opened);
}

ssize_t OpenSslSession::Receive(const uint8_t* cipher, size_t length, uint8_t* plain, size_t capacity, bool* opened,
                                bool* peer_closed) {
  ERR_clear_error();
  *opened = false;
  *peer_closed = false;
  input_ = cipher;
  input_length_ = length;
  received_any_ = true;
  size_t produced = 0;
  bool ok = !handshaking_ || Handshake(opened);
  while (ok && !handshaking_) {
    if (produced == capacity) {
      // The caller's capacity covers everything this input can decrypt to (tls.h); running out
      // means a peer sent what no TLS stack produces.
      if (input_length_ > 0 || SSL_pending(ssl_) > 0) {
        failure_.reason = "decrypted input exceeds the read space";
        ok = false;
      }
      break;
    }
    size_t n = 0;
    int rc = SSL_read_ex(ssl_, plain + produced, capacity - produced, &n);
    if (rc == 1) {
      produced += n;
      continue;
    }
    int kind = SSL_get_error(ssl_, rc);
    if (kind == SSL_ERROR_WANT_READ) break;  // every byte fed is taken; a partial record waits in the SSL
    if (kind == SSL_ERROR_ZERO_RETURN) {
      *peer_closed = true;
      break;
    }
    ok = Failed(rc, "cannot decrypt");
  }
  input_ = nullptr;
  input_length_ = 0;
  return ok ? static_cast<ssize_t>(produced) : -1;
}

bool OpenSslSession::WriteAll(const uint8_t* bytes, size_t length) {
  while (length > 0) {
    size_t n = 0;
    // The sink takes everything, so a write never waits for the socket: it completes or fails.
    int rc = SSL_write_ex(ssl_, bytes, length, &n);
    if (rc != 1) return Failed(rc, "cannot encrypt");
    bytes += n;
    length -= n;
  }
  return true;
}

bool OpenSslSession::Send(const struct iovec* chunks, int count) {
  ERR_clear_error();
  if (count == 1) return WriteAll(static_cast<const uint8_t*>(chunks[0].iov_base), chunks[0].iov_len);
  size_t gathered = 0;
  for (int i = 0; i < count; i++) {
    const auto* base = static_cast<const uint8_t*>(chunks[i].iov_base);
    size_t length = chunks[i].iov_len;
    if (gathered + length > kMaxRecordPayload) {
      if (gathered > 0 && !WriteAll(gather_buffer, gathered)) return false;
      gathered = 0;
    }
    if (length >= kMaxRecordPayload) {
      if (!WriteAll(base, length)) return false;
      continue;
    }
    std::memcpy(gather_buffer + gathered, base, length);
    gathered += length;
  }
  return gathered == 0 || WriteAll(gather_buffer, gathered);
}

void OpenSslSession::Notify() {
  if (handshaking_ || notified_) return;
  notified_ = true;
  ERR_clear_error();
  // 0: close_notify is sent and the peer's is not awaited (the reactor's lingering close waits
  // for its FIN instead); a failure here changes nothing, the FIN follows anyway.
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

bool OpenSslSession::MidRecord() const { return SSL_has_pending(ssl_) == 1; }

int OpenSslSession::BioRead(BIO* bio, char* out, size_t length, size_t* read) {
  auto* self = static_cast<OpenSslSession*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (self->input_length_ == 0) {
    BIO_set_retry_read(bio);
    *read = 0;
    return 0;
  }
  size_t n = std::min(length, self->input_length_);
  std::memcpy(out, self->input_, n);
  self->input_ += n;
  self->input_length_ -= n;
  *read = n;
  return 1;
}

int OpenSslSession::BioWrite(BIO* bio, const char* in, size_t length, size_t* written) {
  auto* self = static_cast<OpenSslSession*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  self->sink_->Put(reinterpret_cast<const uint8_t*>(in), length);
  *written = length;
  return 1;
}

long OpenSslSession::BioCtrl(BIO*, int cmd, long, void*) {
  // Flushing is the reactor's business (after the SSL call); nothing else applies to this BIO.
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

}  // namespace nevio
