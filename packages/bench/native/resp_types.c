/* The data-type requests of the load generator (see resp_types.h).
 *
 * - XADD: every connection appends to one stream, `XADD bench:x * f <value>` (the server makes
 *   the ID); the reply is the ID, a bulk string.
 * - XREADGROUP + XACK: connection c owns the stream bench:s:<c> with group g. FILL sends
 *   `XGROUP CREATE bench:s:<c> g 0 MKSTREAM`, then `XADD bench:s:<c> <n>-1 f <value>` for
 *   n = 1, 2, ...; RUN alternates `XREADGROUP GROUP g c<c> COUNT 1 STREAMS bench:s:<c> >` and
 *   `XACK bench:s:<c> g <n>-1`. The IDs are explicit so that the n-th read must return entry
 *   n-1 (checked) and the ack that follows names it: what a consumer does with the ID it just
 *   read, pipelined. A pipelined XACK reaches the server after the read it acknowledges, on the
 *   same connection, so the server's work is a real consumer's.
 * - PFADD: one HyperLogLog, `PFADD bench:hll <element>`, elements spread over 2^64 (dense after
 *   the first few thousand); the reply is :0 or :1.
 * - GEOADD: one geo set, `GEOADD bench:geo <lon> <lat> m:<n>`, coordinates uniform over the
 *   valid range, members out of 10^6 (later ones update earlier ones); the reply is :0 or :1. */
#include "resp_types.h"

#include "common.h"

#include <stdio.h>
#include <string.h>

/* splitmix64: a well-mixed 64-bit value for (conn, k), the same in every run. */
static uint64_t mix(int conn, uint64_t k) {
  uint64_t z = ((uint64_t)conn << 40) ^ k ^ 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* A RESP request written argument by argument. */
struct req {
  char *p;
  size_t n;
};

static void req_start(struct req *r, char *p, unsigned args) {
  r->p = p;
  r->n = 0;
  r->p[r->n++] = '*';
  r->n += append_uint(r->p + r->n, args);
  r->p[r->n++] = '\r', r->p[r->n++] = '\n';
}

static void req_arg(struct req *r, const void *bytes, size_t len) {
  r->p[r->n++] = '$';
  r->n += append_uint(r->p + r->n, len);
  r->p[r->n++] = '\r', r->p[r->n++] = '\n';
  memcpy(r->p + r->n, bytes, len);
  r->n += len;
  r->p[r->n++] = '\r', r->p[r->n++] = '\n';
}

static void req_str(struct req *r, const char *s) { req_arg(r, s, strlen(s)); }

static void req_uint(struct req *r, uint64_t v) {
  char buf[24];
  req_arg(r, buf, append_uint(buf, v));
}

/* "<prefix><v><suffix>" into buf; returns its length. */
static size_t compose(char *buf, const char *prefix, uint64_t v, const char *suffix) {
  size_t n = strlen(prefix);
  memcpy(buf, prefix, n);
  n += append_uint(buf + n, v);
  size_t s = strlen(suffix);
  memcpy(buf + n, suffix, s);
  return n + s;
}

size_t types_build(enum types_mode mode, enum types_phase phase, int conn, uint64_t k, const unsigned char *value,
                   size_t size, char *p) {
  struct req r;
  char key[48], name[48];
  size_t klen = compose(key, "bench:s:", (uint64_t)conn, "");
  switch (mode) {
  case TYPES_XADD:
    req_start(&r, p, 5);
    req_str(&r, "XADD");
    req_str(&r, "bench:x");
    req_str(&r, "*");
    req_str(&r, "f");
    req_arg(&r, value, size);
    return r.n;
  case TYPES_XGROUP:
    if (phase == PHASE_FILL && k == 0) {
      req_start(&r, p, 6);
      req_str(&r, "XGROUP");
      req_str(&r, "CREATE");
      req_arg(&r, key, klen);
      req_str(&r, "g");
      req_str(&r, "0");
      req_str(&r, "MKSTREAM");
    } else if (phase == PHASE_FILL) {
      req_start(&r, p, 5);
      req_str(&r, "XADD");
      req_arg(&r, key, klen);
      req_arg(&r, name, compose(name, "", k, "-1"));
      req_str(&r, "f");
      req_arg(&r, value, size);
    } else if (k % 2 == 0) {
      req_start(&r, p, 9);
      req_str(&r, "XREADGROUP");
      req_str(&r, "GROUP");
      req_str(&r, "g");
      req_arg(&r, name, compose(name, "c", (uint64_t)conn, ""));
      req_str(&r, "COUNT");
      req_str(&r, "1");
      req_str(&r, "STREAMS");
      req_arg(&r, key, klen);
      req_str(&r, ">");
    } else {
      req_start(&r, p, 4);
      req_str(&r, "XACK");
      req_arg(&r, key, klen);
      req_str(&r, "g");
      req_arg(&r, name, compose(name, "", k / 2 + 1, "-1"));
    }
    return r.n;
  case TYPES_PFADD:
    req_start(&r, p, 3);
    req_str(&r, "PFADD");
    req_str(&r, "bench:hll");
    req_uint(&r, mix(conn, k));
    return r.n;
  case TYPES_GEOADD: {
    uint64_t h = mix(conn, k);
    /* 26 bits each for longitude and latitude, 12 for the member: independent enough. */
    double lon = -180.0 + 360.0 * (double)(h & 0x3ffffff) / 67108864.0;
    double lat = -85.0 + 170.0 * (double)((h >> 26) & 0x3ffffff) / 67108864.0;
    char lonbuf[32], latbuf[32];
    req_start(&r, p, 5);
    req_str(&r, "GEOADD");
    req_str(&r, "bench:geo");
    req_arg(&r, lonbuf, (size_t)snprintf(lonbuf, sizeof lonbuf, "%.6f", lon));
    req_arg(&r, latbuf, (size_t)snprintf(latbuf, sizeof latbuf, "%.6f", lat));
    req_arg(&r, name, compose(name, "m:", mix(conn, k ^ 0x5555) % 1000000, ""));
    return r.n;
  }
  }
  return 0;
}

static int is_bulk(const char *r, size_t len) { return len >= 4 && r[0] == '$' && r[1] != '-'; }

static int is_bit(const char *r, size_t len) { return len == 4 && r[0] == ':' && (r[1] == '0' || r[1] == '1'); }

const char *types_check(enum types_mode mode, enum types_phase phase, int conn, uint64_t k, const char *r, size_t len) {
  if (len > 0 && r[0] == '-') return "error reply";
  switch (mode) {
  case TYPES_XADD:
    return is_bulk(r, len) ? NULL : "XADD did not return an ID";
  case TYPES_XGROUP: {
    if (phase == PHASE_FILL) {
      if (k == 0) return len == 5 && memcmp(r, "+OK\r\n", 5) == 0 ? NULL : "XGROUP CREATE did not answer +OK";
      return is_bulk(r, len) ? NULL : "XADD did not return an ID";
    }
    if (k % 2 == 1) return len == 4 && memcmp(r, ":1\r\n", 4) == 0 ? NULL : "XACK did not acknowledge one entry";
    /* [[key, [[id, [f, value]]]]]: the prefix up to the ID must be exactly this one. */
    char key[48], id[48], want[256];
    size_t klen = compose(key, "bench:s:", (uint64_t)conn, "");
    size_t idlen = compose(id, "", k / 2 + 1, "-1");
    size_t n = compose(want, "*1\r\n*2\r\n$", klen, "\r\n");
    memcpy(want + n, key, klen);
    n += klen;
    n += compose(want + n, "\r\n*1\r\n*2\r\n$", idlen, "\r\n");
    memcpy(want + n, id, idlen);
    n += idlen;
    want[n++] = '\r', want[n++] = '\n';
    return len > n && memcmp(r, want, n) == 0 ? NULL : "XREADGROUP did not return the next entry";
  }
  case TYPES_PFADD:
  case TYPES_GEOADD:
    return is_bit(r, len) ? NULL : "expected :0 or :1";
  }
  return "unknown mode";
}
