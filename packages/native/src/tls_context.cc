// TlsContext: building an SSL_CTX from PEM text (never from files: the caller reads them, so a
// reload reads them again), the SNI and ALPN callbacks, and OpenSSL's error queue.
#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>

#include "tls_session.h"

namespace nevio {

namespace {

// The session id context: servers must set one to resume sessions when they verify client
// certificates (OpenSSL refuses "session id context uninitialized" otherwise). Any constant does.
constexpr unsigned char kSessionIdContext[] = "nevio";

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr ReadOnly(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

int Passphrase(char* buf, int size, int, void* user) {
  const auto* passphrase = static_cast<const std::string*>(user);
  if (passphrase == nullptr || size <= 0) return 0;
  int n = static_cast<int>(std::min<size_t>(passphrase->size(), static_cast<size_t>(size)));
  std::memcpy(buf, passphrase->data(), static_cast<size_t>(n));
  return n;
}

// The end of a PEM list shows up as "no start line" in the error queue: not a failure.
void ForgetEndOfPem() {
  unsigned long e = ERR_peek_last_error();
  if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) ERR_clear_error();
}

bool Fail(std::string* error, const std::string& what) {
  *error = what + ": " + TakeOpenSslError("no detail");
  return false;
}

// Certificate, chain and private key; `what` names them in errors (the key's bytes never appear).
bool LoadIdentity(SSL_CTX* ctx, const TlsIdentity& id, const std::string& what, std::string* error) {
  BioPtr cert_bio = ReadOnly(id.cert_pem);
  if (!cert_bio) return Fail(error, what + "cert");
  X509* leaf = PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return Fail(error, "cannot read " + what + "cert (PEM)");
  int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (ok != 1) return Fail(error, "cannot use " + what + "cert");
  SSL_CTX_clear_chain_certs(ctx);
  for (;;) {
    X509* link = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
    if (link == nullptr) break;
    if (SSL_CTX_add0_chain_cert(ctx, link) != 1) {
      X509_free(link);
      return Fail(error, "cannot add the chain of " + what + "cert");
    }
  }
  ForgetEndOfPem();
  BioPtr key_bio = ReadOnly(id.key_pem);
  if (!key_bio) return Fail(error, what + "key");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &Passphrase, const_cast<std::string*>(&id.passphrase));
  if (key == nullptr) return Fail(error, "cannot read " + what + "key (PEM; a wrong passphrase also shows here)");
  ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1) return Fail(error, "cannot use " + what + "key");
  if (SSL_CTX_check_private_key(ctx) != 1) return Fail(error, what + "key does not match " + what + "cert");
  return true;
}

// Trusted CAs into the context's store; a server asking for client certificates also names them
// in its CertificateRequest.
bool LoadCa(SSL_CTX* ctx, const std::string& pem, bool name_them, std::string* error) {
  BioPtr bio = ReadOnly(pem);
  if (!bio) return Fail(error, "ca");
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* names = name_them ? sk_X509_NAME_new_null() : nullptr;
  int count = 0;
  for (;;) {
    X509* cert = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    count++;
    int added = X509_STORE_add_cert(store, cert);
    if (names != nullptr) {
      X509_NAME* name = X509_NAME_dup(X509_get_subject_name(cert));
      if (name != nullptr && sk_X509_NAME_push(names, name) == 0) X509_NAME_free(name);
    }
    X509_free(cert);
    if (added != 1) {
      // The same CA twice is harmless.
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        return Fail(error, "cannot add a ca certificate");
      }
      ERR_clear_error();
    }
  }
  ForgetEndOfPem();
  if (count == 0) {
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    return Fail(error, "ca holds no PEM certificate");
  }
  if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  return true;
}

// With rejectUnauthorized false the handshake goes on whatever the verification found; the
// result stays readable (SSL_get_verify_result) for conn.tls.authorized.
int AcceptAnyway(int, X509_STORE_CTX*) { return 1; }

SSL_CTX* NewContext(bool server, std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) Fail(error, "SSL_CTX_new");
  return ctx;
}

bool NameMatches(const std::string& pattern, const char* name) {
  if (strcasecmp(pattern.c_str(), name) == 0) return true;
  // "*.example.com" matches one label: "a.example.com", not "example.com" or "a.b.example.com".
  if (pattern.size() < 3 || pattern[0] != '*' || pattern[1] != '.') return false;
  const char* dot = std::strchr(name, '.');
  return dot != nullptr && dot != name && strcasecmp(pattern.c_str() + 1, dot) == 0;
}

}  // namespace

std::string TakeOpenSslError(const char* fallback) {
  unsigned long e = ERR_get_error();
  std::string reason;
  if (e != 0) {
    const char* text = ERR_reason_error_string(e);
    if (text != nullptr) {
      reason = text;
    } else {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      reason = buf;
    }
  } else {
    reason = fallback;
  }
  ERR_clear_error();
  return reason;
}

TlsContext* TlsContext::Create(const TlsConfig& config, std::string* error) {
  ERR_clear_error();
  std::unique_ptr<TlsContext, void (*)(TlsContext*)> self(new TlsContext(), [](TlsContext* c) { c->Unref(); });
  self->server_ = config.server;
  self->reject_unauthorized_ = config.reject_unauthorized;
  self->handshake_timeout_ms_ = config.handshake_timeout_ms;
  self->alpn_ = config.alpn;
  SSL_CTX* ctx = self->ctx_ = NewContext(config.server, error);
  if (ctx == nullptr) return nullptr;

  // Compression (CRIME) and renegotiation (a client-triggered CPU sink) are off, as in Node.
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // Pull as much ciphertext as the record buffer holds per BIO read: fewer callbacks.
  SSL_CTX_set_read_ahead(ctx, 1);
  if (SSL_CTX_set_min_proto_version(ctx, config.min_version) != 1 || SSL_CTX_set_max_proto_version(ctx, config.max_version) != 1) {
    Fail(error, "unsupported protocol version");
    return nullptr;
  }
  if (!config.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, config.ciphers.c_str()) != 1) {
    Fail(error, "no usable cipher in ciphers '" + config.ciphers + "'");
    return nullptr;
  }
  if (!config.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, config.ciphersuites.c_str()) != 1) {
    Fail(error, "no usable TLS 1.3 suite in '" + config.ciphersuites + "'");
    return nullptr;
  }
  bool has_identity = !config.identity.cert_pem.empty() || !config.identity.key_pem.empty();
  if (config.server && !has_identity) {
    *error = "a TLS server needs cert and key";
    return nullptr;
  }
  if (has_identity && !LoadIdentity(ctx, config.identity, "", error)) return nullptr;
  if (!config.ca_pem.empty() && !LoadCa(ctx, config.ca_pem, config.server && config.request_cert, error)) return nullptr;

  int verify = SSL_VERIFY_NONE;
  if (!config.server || config.request_cert) {
    verify = SSL_VERIFY_PEER;
    if (config.server && config.reject_unauthorized) verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_CTX_set_verify(ctx, verify, config.reject_unauthorized ? nullptr : &AcceptAnyway);

  if (config.server) {
    SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
    // Resumption by tickets (stateless: nothing kept per session on the server), not by a
    // session cache that would grow with every client.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_timeout(ctx, config.session_timeout_s);
    if (config.ticket_keys.size() == 80 &&
        SSL_CTX_set_tlsext_ticket_keys(ctx, const_cast<char*>(config.ticket_keys.data()), 80) != 1) {
      Fail(error, "cannot set the ticket keys");
      return nullptr;
    }
    if (!config.alpn.empty()) SSL_CTX_set_alpn_select_cb(ctx, &TlsContext::OnAlpn, self.get());
    for (const auto& [name, identity] : config.sni) {
      SSL_CTX* sub = NewContext(true, error);
      if (sub == nullptr) return nullptr;
      self->sni_.emplace_back(name, sub);
      SSL_CTX_set_session_id_context(sub, kSessionIdContext, sizeof kSessionIdContext - 1);
      if (!LoadIdentity(sub, identity, "sni['" + name + "'] ", error)) return nullptr;
    }
    if (!self->sni_.empty()) {
      SSL_CTX_set_tlsext_servername_callback(ctx, &TlsContext::OnServername);
      SSL_CTX_set_tlsext_servername_arg(ctx, self.get());
    }
  } else if (!config.alpn.empty()) {
    // 0 is success here (unlike the rest of the API).
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(config.alpn.data()),
                                static_cast<unsigned int>(config.alpn.size())) != 0) {
      Fail(error, "cannot set the ALPN protocols");
      return nullptr;
    }
  }
  ERR_clear_error();
  return self.release();
}

TlsContext::~TlsContext() {
  for (auto& entry : sni_) SSL_CTX_free(entry.second);
  SSL_CTX_free(ctx_);
}

void TlsContext::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

TlsSession* TlsContext::NewSession(TlsSink* sink, const std::string& servername) {
  return OpenSslSession::Create(this, ctx_, sink, servername);
}

int TlsContext::OnServername(SSL* ssl, int*, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;  // no SNI: the default certificate
  for (const auto& [pattern, sub] : self->sni_) {
    if (!NameMatches(pattern, name)) continue;
    if (SSL_set_SSL_CTX(ssl, sub) == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_OK;  // an unknown name: the default certificate, as Node does
}

int TlsContext::OnAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                       unsigned int in_length, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  unsigned char* chosen = nullptr;
  // The server's order wins: the first of its protocols the client offers.
  int rc = SSL_select_next_proto(&chosen, out_length, reinterpret_cast<const unsigned char*>(self->alpn_.data()),
                                 static_cast<unsigned int>(self->alpn_.size()), in, in_length);
  if (rc != OPENSSL_NPN_NEGOTIATED) {
    // RFC 7301 3.2: no protocol in common is a fatal no_application_protocol alert.
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace nevio
