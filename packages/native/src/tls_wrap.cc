#include "tls_wrap.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <string>

#include "args.h"
#include "tls_context.h"
#include "tls_session.h"

namespace nevio {

namespace {

// PEM text, a string or bytes; "" when absent.
std::string Text(const Napi::Object& options, const char* name, const std::string& method) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined() || v.IsNull()) return std::string();
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
    return std::string(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
  }
  throw Napi::TypeError::New(options.Env(), method + ": " + name + " must be a string or a Uint8Array");
}

bool Flag(const Napi::Object& options, const char* name, bool fallback, const std::string& method) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return fallback;
  if (!v.IsBoolean()) throw Napi::TypeError::New(options.Env(), method + ": " + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

int64_t Whole(const Napi::Object& options, const char* name, int64_t fallback, int64_t min, int64_t max, const std::string& method) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return fallback;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1.5;
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || static_cast<double>(static_cast<int64_t>(d)) != d) {
    throw Napi::RangeError::New(options.Env(), method + ": " + name + " must be an integer from " + std::to_string(min) + " to " +
                                                   std::to_string(max));
  }
  return static_cast<int64_t>(d);
}

TlsIdentity Identity(const Napi::Object& options, const std::string& method) {
  return {Text(options, "cert", method), Text(options, "key", method), Text(options, "passphrase", method)};
}

// ALPN's wire format: each name preceded by its length (1 to 255 bytes).
std::string AlpnWire(const Napi::Object& options, const std::string& method) {
  Napi::Value v = options.Get("alpn");
  if (v.IsUndefined()) return std::string();
  if (!v.IsArray()) throw Napi::TypeError::New(options.Env(), method + ": alpn must be an array of strings");
  Napi::Array names = v.As<Napi::Array>();
  std::string wire;
  for (uint32_t i = 0; i < names.Length(); i++) {
    Napi::Value name = names.Get(i);
    std::string text = name.IsString() ? name.As<Napi::String>().Utf8Value() : std::string();
    if (text.empty() || text.size() > 255) {
      throw Napi::TypeError::New(options.Env(), method + ": alpn names must be strings of 1 to 255 bytes");
    }
    wire.push_back(static_cast<char>(text.size()));
    wire += text;
  }
  return wire;
}

// Marks TlsContext objects, so an unrelated object passed where one is expected is refused
// (napi_type_tag: values chosen at random once).
constexpr napi_type_tag kTlsContextTag = {0x6e6576696f746c73ULL, 0x9c1b0f4d27a35e81ULL};

class TlsContextWrap : public Napi::ObjectWrap<TlsContextWrap> {
 public:
  static Napi::Function Define(Napi::Env env) { return DefineClass(env, "TlsContext", {}); }

  // new TlsContext({ server, cert, key, passphrase, ca, requestCert, rejectUnauthorized, alpn,
  //   minVersion, maxVersion, ciphers, ciphersuites, sni: [{ name, cert, key, passphrase }],
  //   ticketKeys, sessionTimeout, handshakeTimeout })
  TlsContextWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TlsContextWrap>(info) {
    Args args(info, "new TlsContext");
    const std::string method = "new TlsContext";
    Napi::Object o = args.Options(0, "options");
    info.This().As<Napi::Object>().TypeTag(&kTlsContextTag);
    TlsConfig config;
    config.server = Flag(o, "server", true, method);
    config.identity = Identity(o, method);
    config.ca_pem = Text(o, "ca", method);
    config.request_cert = Flag(o, "requestCert", false, method);
    config.reject_unauthorized = Flag(o, "rejectUnauthorized", true, method);
    config.alpn = AlpnWire(o, method);
    config.min_version = static_cast<int>(Whole(o, "minVersion", TLS1_2_VERSION, TLS1_2_VERSION, TLS1_3_VERSION, method));
    config.max_version = static_cast<int>(Whole(o, "maxVersion", TLS1_3_VERSION, TLS1_2_VERSION, TLS1_3_VERSION, method));
    config.ciphers = Text(o, "ciphers", method);
    config.ciphersuites = Text(o, "ciphersuites", method);
    config.ticket_keys = Text(o, "ticketKeys", method);
    if (!config.ticket_keys.empty() && config.ticket_keys.size() != 80) {
      throw Napi::RangeError::New(info.Env(), method + ": ticketKeys must be 80 bytes");
    }
    config.session_timeout_s = static_cast<long>(Whole(o, "sessionTimeout", 300, 1, 86400 * 7, method));
    config.handshake_timeout_ms = Whole(o, "handshakeTimeout", kDefaultTlsHandshakeMs, 1, INT32_MAX, method);
    Napi::Value sni = o.Get("sni");
    if (!sni.IsUndefined()) {
      if (!sni.IsArray()) throw Napi::TypeError::New(info.Env(), method + ": sni must be an array");
      Napi::Array entries = sni.As<Napi::Array>();
      for (uint32_t i = 0; i < entries.Length(); i++) {
        Napi::Value entry = entries.Get(i);
        if (!entry.IsObject()) throw Napi::TypeError::New(info.Env(), method + ": sni entries must be objects");
        Napi::Object e = entry.As<Napi::Object>();
        std::string name = Text(e, "name", method);
        if (name.empty()) throw Napi::TypeError::New(info.Env(), method + ": an sni entry needs a name");
        config.sni.emplace_back(name, Identity(e, method));
      }
    }
    std::string error;
    context_ = TlsContext::Create(config, &error);
    // The message names what was wrong (which file role, OpenSSL's reason), never key material.
    if (context_ == nullptr) throw Napi::Error::New(info.Env(), "TLS configuration: " + error);
  }

  ~TlsContextWrap() override {
    if (context_ != nullptr) context_->Unref();
  }

  TlsContext* context() const { return context_; }

 private:
  TlsContext* context_ = nullptr;
};

// Memory BIO text; the BIO is freed.
std::string Drain(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string text = length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
  BIO_free(bio);
  return text;
}

std::string NameText(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return std::string();
  // RFC 2253 order (CN first), UTF-8 kept as it is.
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return Drain(bio);
}

std::string TimeText(const ASN1_TIME* time) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return std::string();
  ASN1_TIME_print(bio, time);  // "Dec  2 03:51:11 2026 GMT", as Node's valid_from
  return Drain(bio);
}

Napi::Value DescribeCertificate(Napi::Env env, X509* cert) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("subject", NameText(X509_get_subject_name(cert)));
  out.Set("issuer", NameText(X509_get_issuer_name(cert)));
  out.Set("validFrom", TimeText(X509_get0_notBefore(cert)));
  out.Set("validTo", TimeText(X509_get0_notAfter(cert)));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &digest_length) == 1) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string text;
    for (unsigned int i = 0; i < digest_length; i++) {
      if (i > 0) text.push_back(':');
      text.push_back(kHex[digest[i] >> 4]);
      text.push_back(kHex[digest[i] & 15]);
    }
    out.Set("fingerprint256", text);
  }
  int length = i2d_X509(cert, nullptr);
  if (length > 0) {
    Napi::Buffer<uint8_t> raw = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(length));
    unsigned char* p = raw.Data();
    i2d_X509(cert, &p);
    out.Set("raw", raw);
  }
  return out;
}

}  // namespace

Napi::Function DefineTlsContextClass(Napi::Env env) { return TlsContextWrap::Define(env); }

TlsEndpoint* UnwrapTlsContext(const Napi::Value& value, const char* method) {
  if (value.IsUndefined() || value.IsNull()) return nullptr;
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kTlsContextTag)) {
    throw Napi::TypeError::New(value.Env(), std::string(method) + ": expected a TlsContext");
  }
  return TlsContextWrap::Unwrap(value.As<Napi::Object>())->context();
}

Napi::Value DescribeTlsSession(Napi::Env env, TlsSession* session) {
  auto* s = static_cast<OpenSslSession*>(session);
  SSL* ssl = s->ssl();
  Napi::Object out = Napi::Object::New(env);
  out.Set("protocol", SSL_get_version(ssl));
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  out.Set("cipher", cipher != nullptr ? Napi::Value(Napi::String::New(env, SSL_CIPHER_get_name(cipher))) : env.Null());
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
  out.Set("alpn", alpn_length > 0 ? Napi::Value(Napi::String::New(env, reinterpret_cast<const char*>(alpn), alpn_length)) : env.Null());
  const char* servername = SSL_is_server(ssl) ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : s->servername().c_str();
  out.Set("servername", servername != nullptr && servername[0] != '\0' ? Napi::Value(Napi::String::New(env, servername)) : env.Null());
  out.Set("sessionReused", SSL_session_reused(ssl) == 1);
  X509* peer = SSL_get0_peer_certificate(ssl);
  long verified = SSL_get_verify_result(ssl);
  out.Set("authorized", peer != nullptr && verified == X509_V_OK);
  out.Set("authorizationError", peer == nullptr ? Napi::Value(Napi::String::New(env, "no peer certificate"))
                                : verified != X509_V_OK ? Napi::Value(Napi::String::New(env, X509_verify_cert_error_string(verified)))
                                                        : env.Null());
  out.Set("peerCertificate", peer != nullptr ? DescribeCertificate(env, peer) : env.Null());
  ERR_clear_error();
  return out;
}

Napi::Value ExportTlsSession(Napi::Env env, TlsSession* session) {
  SSL_SESSION* saved = SSL_get1_session(static_cast<OpenSslSession*>(session)->ssl());
  if (saved == nullptr) return env.Null();
  Napi::Value out = env.Null();
  int length = SSL_SESSION_is_resumable(saved) == 1 ? i2d_SSL_SESSION(saved, nullptr) : 0;
  if (length > 0) {
    Napi::Buffer<uint8_t> der = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(length));
    unsigned char* p = der.Data();
    i2d_SSL_SESSION(saved, &p);
    out = der;
  }
  SSL_SESSION_free(saved);
  ERR_clear_error();
  return out;
}

bool ResumeTlsSession(TlsSession* session, const uint8_t* der, size_t length) {
  const unsigned char* p = der;
  SSL_SESSION* saved = d2i_SSL_SESSION(nullptr, &p, static_cast<long>(length));
  bool ok = saved != nullptr && SSL_set_session(static_cast<OpenSslSession*>(session)->ssl(), saved) == 1;
  SSL_SESSION_free(saved);
  ERR_clear_error();
  return ok;
}

Napi::Value DescribeTlsNote(Napi::Env env, const Reactor::TlsNote& note) {
  Napi::Array out = Napi::Array::New(env, 5);
  out.Set(0u, note.failure.reason);
  out.Set(1u, note.failure.verify_error.empty() ? env.Null() : Napi::Value(Napi::String::New(env, note.failure.verify_error)));
  out.Set(2u, Napi::Number::New(env, note.peer.family));
  out.Set(3u, note.peer.address);
  out.Set(4u, Napi::Number::New(env, note.peer.port));
  return out;
}

// --- The Reactor methods of TLS (reactor_wrap.cc forwards them here) ---

// setListenerTls(listener, context | null): the listener's new connections speak TLS.
Napi::Value ReactorSetListenerTls(Reactor* reactor, const Napi::CallbackInfo& info) {
  Args args(info, "Reactor.setListenerTls");
  int listener = static_cast<int>(args.Integer(0, "listener", 0, INT32_MAX));
  reactor->SetListenerTls(listener, UnwrapTlsContext(info[1], "Reactor.setListenerTls"));
  return info.Env().Undefined();
}

// secureDial(id, context, servername, session | null): the dial in progress speaks TLS once
// connected; false if it is not connecting, or the session could not be made.
Napi::Value ReactorSecureDial(Reactor* reactor, const Napi::CallbackInfo& info) {
  Args args(info, "Reactor.secureDial");
  int32_t id = args.Int32(0, "id");
  TlsEndpoint* endpoint = UnwrapTlsContext(info[1], "Reactor.secureDial");
  if (endpoint == nullptr) throw Napi::TypeError::New(info.Env(), "Reactor.secureDial: context must be a TlsContext");
  std::string servername = args.String(2, "servername");
  if (!reactor->SecureDial(id, endpoint, servername)) return Napi::Boolean::New(info.Env(), false);
  if (info[3].IsTypedArray()) {
    Napi::Uint8Array session = args.Bytes(3, "session");
    // A session that cannot be read is no reason to fail: the handshake is a full one instead.
    ResumeTlsSession(reactor->Find(id)->tls, session.Data(), session.ByteLength());
  }
  return Napi::Boolean::New(info.Env(), true);
}

// tlsInfo(id) -> what conn.tls reports, or null for a plain or closed connection.
Napi::Value ReactorTlsInfo(Reactor* reactor, const Napi::CallbackInfo& info) {
  Args args(info, "Reactor.tlsInfo");
  Connection* c = reactor->Find(args.Int32(0, "id"));
  if (c == nullptr || c->tls == nullptr || c->tls->handshaking()) return info.Env().Null();
  return DescribeTlsSession(info.Env(), c->tls);
}

Napi::Value ReactorTlsSession(Reactor* reactor, const Napi::CallbackInfo& info) {
  Args args(info, "Reactor.tlsSession");
  Connection* c = reactor->Find(args.Int32(0, "id"));
  if (c == nullptr || c->tls == nullptr || c->tls->handshaking()) return info.Env().Null();
  return ExportTlsSession(info.Env(), c->tls);
}

// tlsFailure(id) -> [reason, verifyError, family, address, port] once for a connection closed
// with the `tls` syscall code, else null.
Napi::Value ReactorTlsFailure(Reactor* reactor, const Napi::CallbackInfo& info) {
  Args args(info, "Reactor.tlsFailure");
  Reactor::TlsNote note;
  if (!reactor->TakeTlsFailure(args.Int32(0, "id"), &note)) return info.Env().Null();
  return DescribeTlsNote(info.Env(), note);
}

}  // namespace nevio
