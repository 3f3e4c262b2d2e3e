// TLS's JavaScript face (tls_wrap.cc): the `TlsContext` class (a TLS configuration built from
// PEM text, handed to Reactor.setListenerTls and Reactor.secureDial), and what a connection's
// session and failures look like to JavaScript (conn.tls, TlsError).
#pragma once

#include <napi.h>

#include "reactor.h"

namespace nevio {

Napi::Function DefineTlsContextClass(Napi::Env env);
// The configuration a TlsContext object holds; null for null/undefined; a TypeError otherwise.
TlsEndpoint* UnwrapTlsContext(const Napi::Value& value, const char* method);
// { protocol, cipher, alpn, servername, authorized, authorizationError, sessionReused, peerCertificate }
Napi::Value DescribeTlsSession(Napi::Env env, TlsSession* session);
// The session's ticket or session (DER) to resume with later, or null.
Napi::Value ExportTlsSession(Napi::Env env, TlsSession* session);
// Offers a session exported before to a dial's session; false if it cannot be read.
bool ResumeTlsSession(TlsSession* session, const uint8_t* der, size_t length);
// [reason, verifyError, family, address, port]
Napi::Value DescribeTlsNote(Napi::Env env, const Reactor::TlsNote& note);

// Reactor.setListenerTls(listener, context | null), .secureDial(id, context, servername,
// session | null), .tlsInfo(id), .tlsSession(id), .tlsFailure(id), on a live reactor.
Napi::Value ReactorSetListenerTls(Reactor* reactor, const Napi::CallbackInfo& info);
Napi::Value ReactorSecureDial(Reactor* reactor, const Napi::CallbackInfo& info);
Napi::Value ReactorTlsInfo(Reactor* reactor, const Napi::CallbackInfo& info);
Napi::Value ReactorTlsSession(Reactor* reactor, const Napi::CallbackInfo& info);
Napi::Value ReactorTlsFailure(Reactor* reactor, const Napi::CallbackInfo& info);

}  // namespace nevio
