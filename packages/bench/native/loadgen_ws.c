/* The WebSocket mode (RFC 6455): each connection upgrades once with a GET carrying the
 * handshake headers, then keeps `depth` binary messages of --size bytes in flight, each one
 * frame, masked as a client must. The server must echo every message as one unmasked binary
 * frame with the same payload, which is checked byte for byte. */
#define _GNU_SOURCE
#include "common.h"
#include "loadgen.h"

#include <stdio.h>
#include <string.h>

/* The handshake's key is fixed: the load generator does not check Sec-WebSocket-Accept (the
 * servers' own tests do), only that the answer is 101. */
static const char UPGRADE_FMT[] =
    "GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/* A client frame's header: 2 bytes, plus 2 or 8 of extended length, plus the 4-byte mask. */
static size_t ws_header(unsigned char *p, size_t len, int masked) {
  p[0] = 0x82; /* FIN, binary */
  unsigned char mask_bit = masked ? 0x80 : 0;
  if (len < 126) {
    p[1] = mask_bit | (unsigned char)len;
    return 2;
  }
  if (len <= 0xffff) {
    p[1] = mask_bit | 126;
    p[2] = (unsigned char)(len >> 8);
    p[3] = (unsigned char)len;
    return 4;
  }
  p[1] = mask_bit | 127;
  for (int i = 0; i < 8; i++) p[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
  return 10;
}

size_t ws_upgrade_request(char *p, size_t cap) {
  int n = snprintf(p, cap, UPGRADE_FMT, opt.path);
  if (n < 0 || (size_t)n >= cap) die("loadgen: --path too long");
  return (size_t)n;
}

size_t ws_build(const struct conn *c, uint64_t k, char *out) {
  unsigned char *p = (unsigned char *)out;
  size_t h = ws_header(p, opt.size, 1);
  /* A mask that changes with the message, so a server that skipped unmasking would echo the
   * wrong bytes; the cost (one XOR per byte) is the client's and shows in its CPU figure. */
  uint32_t mask = (uint32_t)(k * 2654435761u) ^ (uint32_t)c->id;
  unsigned char m[4] = {(unsigned char)(mask >> 24), (unsigned char)(mask >> 16), (unsigned char)(mask >> 8), (unsigned char)mask};
  memcpy(p + h, m, 4);
  h += 4;
  const unsigned char *payload = msg_bytes(c, k);
  for (size_t i = 0; i < opt.size; i++) p[h + i] = payload[i] ^ m[i & 3];
  return h + opt.size;
}

size_t ws_max_message_len(void) { return opt.size + 14; }

/* The 101 head; -1 after failing the connection, 0 while incomplete, else its length. */
static long ws_upgraded(struct conn *c) {
  const char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
  if (!end) return 0;
  if (c->in_len < 13 || memcmp(c->in, "HTTP/1.1 101 ", 13) != 0) {
    conn_fail(c, "the server refused the WebSocket upgrade");
    return -1;
  }
  c->upgrading = 0;
  return end + 4 - c->in;
}

long parse_ws(struct conn *c, uint64_t now) {
  size_t pos = 0;
  if (c->upgrading) {
    long head = ws_upgraded(c);
    if (head <= 0) return head;
    pos = (size_t)head;
  }
  const unsigned char *in = (const unsigned char *)c->in;
  while (c->open && c->in_len - pos >= 2) {
    const unsigned char *f = in + pos;
    size_t avail = c->in_len - pos;
    if (f[0] != 0x82 || (f[1] & 0x80)) {
      conn_fail(c, "expected one unmasked binary frame per message");
      return -1;
    }
    size_t len = f[1] & 0x7f, h = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (size_t)f[2] << 8 | f[3];
      h = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; i++) len = len << 8 | f[2 + i];
      h = 10;
    }
    if (len != opt.size) {
      conn_fail(c, "echoed frame's length differs from the message's");
      return -1;
    }
    if (avail < h + len) break;
    if (c->done >= c->sent) {
      conn_fail(c, "frame for a message never sent");
      return -1;
    }
    complete(c, memcmp(f + h, msg_bytes(c, c->done), len) == 0, now, "echoed payload differs from the one sent");
    pos += h + len;
  }
  return (long)pos;
}
