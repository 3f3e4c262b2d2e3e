/* What the load generator's units share: the options, the connection record, the run's
 * counters, and the calls between units. loadgen.c runs the loop, loadgen_io.c moves bytes
 * and completes messages, loadgen_replies.c checks replies, loadgen_tls.c adds TLS. */
#ifndef NEVIO_BENCH_LOADGEN_H
#define NEVIO_BENCH_LOADGEN_H

#include "resp_types.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* handshake: each connection repeatedly connects, completes a TLS handshake, has one message
 * echoed (so the server has finished its side of the handshake too) and closes. */
/* ws: binary WebSocket messages echoed by the server (loadgen_ws.c). */
enum mode { MODE_ECHO, MODE_HTTP, MODE_RESP, MODE_HANDSHAKE, MODE_WS, MODE_XADD, MODE_XGROUP, MODE_PFADD, MODE_GEOADD };
extern const char *const MODE_NAMES[];
extern const size_t MODE_COUNT;
/* The data-type modes, in the order of enum types_mode. */
#define MODE_FIRST_TYPES MODE_XADD
#define IS_TYPES_MODE(m) ((m) >= MODE_FIRST_TYPES)

struct options {
  const char *host;
  int port;
  int conns;
  double duration, warmup;
  enum mode mode;
  size_t size;
  int depth;
  const char *path;
  int tls; /* TLS 1.3 with TLS_AES_128_GCM_SHA256 over every connection */
};
extern struct options opt;

enum http_state { H_HEAD, H_BODY, H_CHUNK_SIZE, H_CHUNK_DATA, H_CHUNK_END, H_TRAILER };

typedef struct ssl_st SSL;

struct conn {
  int fd;
  int id;
  int open;
  int connecting;  /* nonblocking connect() still in progress */
  int handshaking; /* TLS handshake still in progress */
  int upgrading;   /* ws: the upgrade request is sent and its 101 not read yet */
  int out_armed;
  SSL *ssl;        /* NULL without --tls */
  uint64_t opened_at; /* handshake mode: when this connection's connect() started */
  uint64_t sent, done; /* messages sent and answered; sent - done are in flight */
  uint64_t limit;      /* messages to send in this phase (xgroup: set when the phase ends or starts) */
  uint64_t *stamps;    /* send times of the messages in flight, a ring of depth slots */
  unsigned sent_slot, done_slot; /* k % depth for sent and done, kept without dividing */
  char *out;
  size_t out_off, out_len;
  uint64_t rx;      /* echo: stream offset of the next byte received */
  uint64_t bad_msg; /* echo: 1 + index of a message found corrupt, so it counts once */
  char *in;
  size_t in_len, in_cap;
  enum http_state hstate;
  int status;
  uint64_t left; /* http: body or chunk bytes still to skip */
};

extern struct conn *conns;
extern size_t out_cap;
extern int epfd;
extern int open_conns;
extern int measuring;
/* xgroup fills the streams first (PHASE_FILL), then consumes (PHASE_RUN). */
extern enum types_phase phase;
extern uint64_t fill_end;
/* xgroup: a connection has consumed every entry it appended; the measured window ends. */
extern int consumer_finished;
extern char http_request[1024];
extern size_t http_request_len;

/* loadgen_io.c */
void hist_add(uint64_t ns);
double hist_percentile_us(double q);
uint64_t messages_counted(void);
uint64_t errors_counted(void);
void note_error(const struct conn *c, const char *what);
void conn_fail(struct conn *c, const char *what);
void complete(struct conn *c, int ok, uint64_t now, const char *why);
const unsigned char *msg_bytes(const struct conn *c, uint64_t k);
void make_pattern(void);
size_t max_message_len(void);
void set_interest(struct conn *c, int out);
void flush(struct conn *c);
void refill(struct conn *c, uint64_t now);
void on_readable(struct conn *c, uint64_t now);

/* loadgen_replies.c: each consumes what it can of the connection's input. */
void on_echo(struct conn *c, const char *buf, size_t n, uint64_t now);
long parse_http(struct conn *c, uint64_t now);
long parse_resp(struct conn *c, uint64_t now);

/* loadgen_ws.c */
size_t ws_upgrade_request(char *p, size_t cap);
size_t ws_build(const struct conn *c, uint64_t k, char *out);
size_t ws_max_message_len(void);
long parse_ws(struct conn *c, uint64_t now);

/* loadgen_tls.c */
void tls_init(void);
/* Starts the handshake on a connected socket; 0, or -1 after failing the connection. */
int tls_start(struct conn *c);
/* Advances the handshake; 1 when it has completed, 0 when it waits for the socket, -1 when
 * it failed (the connection is failed). */
int tls_handshake(struct conn *c);
/* send()/recv() over TLS, with their return conventions (-1 and errno EAGAIN when the socket
 * is not ready, 0 from recv at the peer's close_notify or EOF). */
ssize_t tls_send(struct conn *c, const void *buf, size_t len);
ssize_t tls_recv(struct conn *c, void *buf, size_t len);
/* Decrypted or raw bytes the TLS layer holds that the socket will not signal again. */
int tls_pending(const struct conn *c);
/* Frees the session; with `notify`, first sends close_notify (best effort: a connection that
 * failed must not, as OpenSSL forbids SSL_shutdown after a fatal error). */
void tls_close(struct conn *c, int notify);
/* The suite the first handshake negotiated ("" before any). */
const char *tls_cipher(void);

#endif
