/* TLS for the load generator, on the system's OpenSSL (libssl-dev): TLS 1.3 with
 * TLS_AES_128_GCM_SHA256 only, so that every server under test runs the same cipher and the
 * figures compare the servers, not their defaults. Certificates are not verified: the
 * generator only talks to the bench's own servers on 127.0.0.1, with a throwaway self-signed
 * certificate. No session cache: every handshake is a full one, which is what the handshake
 * mode measures. */
#define _GNU_SOURCE
#include "common.h"
#include "loadgen.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>

static SSL_CTX *ctx;
static char first_cipher[64];

void tls_init(void) {
  ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) die("loadgen: SSL_CTX_new failed");
  if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) || !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
    die("loadgen: this OpenSSL cannot pin TLS 1.3");
  if (!SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256")) die("loadgen: TLS_AES_128_GCM_SHA256 unavailable");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  /* Partial writes let flush() advance out_off record by record like send(); a write to retry
   * may then come from the buffer refill() moved. */
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  /* Without read-ahead OpenSSL reads each record with two recv calls (the 5-byte header, then
   * the body); with it one recv takes whatever the socket holds, like the plain client. */
  SSL_CTX_set_read_ahead(ctx, 1);
  if (opt.mode == MODE_HTTP) {
    static const unsigned char alpn[] = "\x08http/1.1";
    if (SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1) != 0) die("loadgen: SSL_CTX_set_alpn_protos failed");
  }
}

/* OpenSSL's reason for the last failure, or the socket's. */
static const char *failure(int ret, int err, char *buf, size_t cap) {
  unsigned long e = ERR_peek_last_error();
  if (e != 0) {
    ERR_error_string_n(e, buf, cap);
  } else if (err == SSL_ERROR_SYSCALL) {
    snprintf(buf, cap, "%s", ret == 0 || errno == 0 ? "server closed the connection during TLS" : strerror(errno));
  } else {
    snprintf(buf, cap, "TLS error %d", err);
  }
  return buf;
}

int tls_start(struct conn *c) {
  c->ssl = SSL_new(ctx);
  if (!c->ssl) die("loadgen: SSL_new failed");
  if (!SSL_set_fd(c->ssl, c->fd) || !SSL_set_tlsext_host_name(c->ssl, "localhost")) die("loadgen: SSL_set_fd failed");
  SSL_set_connect_state(c->ssl);
  c->handshaking = 1;
  return tls_handshake(c) < 0 ? -1 : 0;
}

int tls_handshake(struct conn *c) {
  ERR_clear_error();
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) {
    c->handshaking = 0;
    if (!first_cipher[0]) snprintf(first_cipher, sizeof first_cipher, "%s", SSL_get_cipher_name(c->ssl));
    set_interest(c, 0);
    return 1;
  }
  int err = SSL_get_error(c->ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    set_interest(c, err == SSL_ERROR_WANT_WRITE);
    return 0;
  }
  char why[256], reason[200];
  snprintf(why, sizeof why, "TLS handshake: %s", failure(r, err, reason, sizeof reason));
  conn_fail(c, why);
  return -1;
}

/* Maps a failed SSL_read/SSL_write onto send/recv's conventions. */
static ssize_t io_failed(struct conn *c, int r) {
  int err = SSL_get_error(c->ssl, r);
  switch (err) {
  case SSL_ERROR_WANT_READ:
    errno = EAGAIN;
    return -1;
  case SSL_ERROR_WANT_WRITE:
    set_interest(c, 1);
    errno = EAGAIN;
    return -1;
  case SSL_ERROR_ZERO_RETURN: return 0;
  case SSL_ERROR_SYSCALL:
    if (ERR_peek_last_error() == 0 && (r == 0 || errno == 0)) return 0;
    if (ERR_peek_last_error() == 0) return -1; /* errno says why */
    break;
  default: break;
  }
  char why[256], reason[200];
  snprintf(why, sizeof why, "TLS: %s", failure(r, err, reason, sizeof reason));
  conn_fail(c, why);
  errno = EPIPE; /* the connection is already failed: the caller's report is a no-op */
  return -1;
}

ssize_t tls_send(struct conn *c, const void *buf, size_t len) {
  ERR_clear_error();
  int r = SSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  if (r > 0) return r;
  ssize_t v = io_failed(c, r);
  if (v == 0) {
    errno = EPIPE;
    return -1;
  }
  return v;
}

ssize_t tls_recv(struct conn *c, void *buf, size_t len) {
  ERR_clear_error();
  int r = SSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
  return r > 0 ? r : io_failed(c, r);
}

int tls_pending(const struct conn *c) { return SSL_has_pending(c->ssl); }

void tls_close(struct conn *c, int notify) {
  if (notify && !c->handshaking) {
    ERR_clear_error();
    SSL_shutdown(c->ssl); /* sends close_notify; the reply is not waited for */
  }
  SSL_free(c->ssl);
  c->ssl = NULL;
}

const char *tls_cipher(void) { return first_cipher; }
