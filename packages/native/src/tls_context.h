// A TLS configuration on OpenSSL (Node's own copy: its headers come with Node's, its symbols
// from the node binary): one SSL_CTX with certificate and key, trusted CAs, client-certificate
// policy, protocol versions, ciphers, ALPN, ticket keys, and an SNI table of further SSL_CTXs.
// Built once per listener or dial configuration; a certificate reload builds a new one and
// swaps it in, so sessions already running keep the one they started with.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <string>
#include <vector>

#include "tls.h"

namespace nevio {

// One certificate for SNI: the names it serves (exact, or "*.example.com").
struct TlsIdentity {
  std::string cert_pem;  // the certificate, then its chain
  std::string key_pem;
  std::string passphrase;
};

struct TlsConfig {
  bool server = true;
  TlsIdentity identity;  // optional for a client (its certificate for mTLS)
  std::string ca_pem;    // trusted CAs; a client without any trusts nothing (JS passes Node's roots)
  bool request_cert = false;        // server: ask for a client certificate
  bool reject_unauthorized = true;  // refuse a peer whose certificate does not verify
  std::string alpn;                 // wire format: length-prefixed names, in preference order
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string ciphers;       // TLS 1.2 cipher list; empty: OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites; empty: OpenSSL's default
  std::vector<std::pair<std::string, TlsIdentity>> sni;  // server name -> certificate
  std::string ticket_keys;   // 80 bytes (name, HMAC and AES keys), or empty: random per context
  long session_timeout_s = 300;
  int64_t handshake_timeout_ms = kDefaultTlsHandshakeMs;
};

class TlsContext final : public TlsEndpoint {
 public:
  // A context with one reference, or null with `*error` saying what was wrong (never key bytes).
  static TlsContext* Create(const TlsConfig& config, std::string* error);

  void Ref() override { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() override;
  bool server() const override { return server_; }
  TlsSession* NewSession(TlsSink* sink, const std::string& servername) override;
  int64_t handshake_timeout_ms() const override { return handshake_timeout_ms_; }
  bool reject_unauthorized() const { return reject_unauthorized_; }

 private:
  TlsContext() = default;
  ~TlsContext() override;
  static int OnServername(SSL* ssl, int* alert, void* self);
  static int OnAlpn(SSL* ssl, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                    unsigned int in_length, void* self);

  std::atomic<int> refs_{1};
  SSL_CTX* ctx_ = nullptr;
  std::vector<std::pair<std::string, SSL_CTX*>> sni_;
  std::string alpn_;
  bool server_ = true;
  bool reject_unauthorized_ = true;
  int64_t handshake_timeout_ms_ = kDefaultTlsHandshakeMs;
};

// OpenSSL's reason for the oldest error in this thread's queue ("wrong version number"), or
// `fallback` when the queue is empty; the queue is cleared either way, so Node's own TLS code
// on the same thread never sees an error of ours.
std::string TakeOpenSslError(const char* fallback);

}  // namespace nevio
