/* Reply checks: echoed bytes against those sent, HTTP responses by framing and status, RESP
 * replies by type and (for GET) by the value the same connection just SET; the data-type modes
 * check each reply against its request in resp_types.c. */
#define _GNU_SOURCE
#include "common.h"
#include "loadgen.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void on_echo(struct conn *c, const char *buf, size_t n, uint64_t now) {
  size_t i = 0;
  while (i < n) {
    uint64_t k = c->rx / opt.size;
    size_t at = (size_t)(c->rx % opt.size);
    if (k >= c->sent) {
      conn_fail(c, "server sent bytes that were never sent to it");
      return;
    }
    size_t chunk = n - i < opt.size - at ? n - i : opt.size - at;
    if (memcmp(buf + i, msg_bytes(c, k) + at, chunk) != 0) c->bad_msg = k + 1;
    i += chunk;
    c->rx += chunk;
    if (at + chunk == opt.size) complete(c, c->bad_msg != k + 1, now, "echoed bytes differ from those sent");
  }
}

static const char *find_crlf(const char *p, size_t n) {
  const char *nl = memchr(p, '\n', n);
  return nl && nl > p && nl[-1] == '\r' ? nl - 1 : NULL;
}

/* Parses the head ending at `end` (the blank line's "\r\n\r\n"); returns 0 when the
 * response is framed in a way this client can follow. */
static int parse_http_head(struct conn *c, const char *head, const char *end) {
  if (end - head < 12 || memcmp(head, "HTTP/1.", 7) != 0) return -1;
  c->status = 0;
  for (int i = 9; i < 12; i++) {
    if (head[i] < '0' || head[i] > '9') return -1;
    c->status = c->status * 10 + head[i] - '0';
  }
  int chunked = 0, has_length = 0;
  uint64_t length = 0;
  const char *line = find_crlf(head, (size_t)(end + 2 - head));
  if (!line) return -1;
  line += 2;
  while (line < end + 2) {
    const char *eol = find_crlf(line, (size_t)(end + 4 - line));
    if (!eol) return -1;
    const char *colon = memchr(line, ':', (size_t)(eol - line));
    if (colon) {
      size_t nlen = (size_t)(colon - line);
      const char *v = colon + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      if (nlen == 14 && strncasecmp(line, "content-length", 14) == 0) {
        char *stop;
        length = strtoull(v, &stop, 10);
        if (stop == v) return -1;
        has_length = 1;
      } else if (nlen == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
        chunked = memmem(v, (size_t)(eol - v), "chunked", 7) != NULL;
      }
    }
    line = eol + 2;
  }
  if (c->status >= 100 && c->status < 200) {
    c->hstate = H_HEAD; /* interim response: the real one follows */
  } else if (chunked) {
    c->hstate = H_CHUNK_SIZE;
  } else if (has_length) {
    c->hstate = H_BODY;
    c->left = length;
  } else if (c->status == 204 || c->status == 304) {
    c->hstate = H_BODY;
    c->left = 0;
  } else {
    return -1; /* delimited by close: impossible to pipeline */
  }
  return 0;
}

/* Servers send the same head over and over (a Date header changes once a second at most),
 * so the last head parsed is kept: a response starting with exactly those bytes has the same
 * status and framing, and costs one memcmp instead of a search and a parse. */
static struct {
  char bytes[1024];
  size_t len;
  int status;
  enum http_state state;
  uint64_t left;
} last_head;

static void http_done(struct conn *c, uint64_t now) {
  c->hstate = H_HEAD;
  if (c->done >= c->sent) {
    conn_fail(c, "response to a request never sent");
    return;
  }
  complete(c, c->status >= 200 && c->status < 300, now, "non-2xx HTTP status");
}

/* Consumes what it can of c->in; returns how many bytes, or -1 after failing the conn. */
long parse_http(struct conn *c, uint64_t now) {
  const char *p = c->in;
  size_t pos = 0, n = c->in_len;
  while (c->open) {
    const char *avail = p + pos;
    size_t left = n - pos;
    switch (c->hstate) {
    case H_HEAD: {
      if (last_head.len && left >= last_head.len && memcmp(avail, last_head.bytes, last_head.len) == 0) {
        c->status = last_head.status;
        c->hstate = last_head.state;
        c->left = last_head.left;
        pos += last_head.len;
      } else {
        const char *end = memmem(avail, left, "\r\n\r\n", 4);
        if (!end) return (long)pos;
        if (parse_http_head(c, avail, end) < 0) {
          conn_fail(c, "malformed or unframed HTTP response");
          return -1;
        }
        size_t len = (size_t)(end + 4 - avail);
        if (len <= sizeof last_head.bytes) {
          memcpy(last_head.bytes, avail, len);
          last_head.len = len;
          last_head.status = c->status;
          last_head.state = c->hstate;
          last_head.left = c->left;
        }
        pos += len;
      }
      if (c->hstate == H_BODY && c->left == 0) http_done(c, now);
      break;
    }
    case H_BODY:
    case H_CHUNK_DATA: {
      size_t take = left < c->left ? left : (size_t)c->left;
      pos += take;
      c->left -= take;
      if (c->left > 0) return (long)pos;
      if (c->hstate == H_BODY) http_done(c, now);
      else c->hstate = H_CHUNK_END;
      break;
    }
    case H_CHUNK_END:
      if (left < 2) return (long)pos;
      if (avail[0] != '\r' || avail[1] != '\n') {
        conn_fail(c, "chunk not followed by CRLF");
        return -1;
      }
      pos += 2;
      c->hstate = H_CHUNK_SIZE;
      break;
    case H_CHUNK_SIZE:
    case H_TRAILER: {
      const char *eol = find_crlf(avail, left);
      if (!eol) return (long)pos;
      pos += (size_t)(eol + 2 - avail);
      if (c->hstate == H_TRAILER) {
        if (eol == avail) http_done(c, now);
        break;
      }
      char *stop;
      c->left = strtoull(avail, &stop, 16);
      if (stop == avail) {
        conn_fail(c, "bad chunk size");
        return -1;
      }
      c->hstate = c->left == 0 ? H_TRAILER : H_CHUNK_DATA;
      break;
    }
    }
  }
  return -1;
}

/* Length of the complete RESP value at p, 0 if more bytes are needed, -1 if malformed. */
static long resp_value_len(const char *p, size_t n, int nesting) {
  if (n < 3) return 0;
  const char *eol = find_crlf(p, n);
  if (!eol) return memchr(p, '\n', n) ? -1 : 0;
  long head = eol + 2 - p;
  switch (p[0]) {
  case '+':
  case '-':
  case ':':
    return head;
  case '$': {
    char *stop;
    long len = strtol(p + 1, &stop, 10);
    if (stop != eol || len < -1) return -1;
    if (len == -1) return head;
    if ((size_t)head + (size_t)len + 2 > n) return 0;
    if (p[head + len] != '\r' || p[head + len + 1] != '\n') return -1;
    return head + len + 2;
  }
  case '*': {
    char *stop;
    long count = strtol(p + 1, &stop, 10);
    if (stop != eol || count < -1 || nesting > 8) return -1;
    long total = head;
    for (long i = 0; i < count; i++) {
      long r = resp_value_len(p + total, n - (size_t)total, nesting + 1);
      if (r <= 0) return r;
      total += r;
    }
    return total;
  }
  default:
    return -1;
  }
}

long parse_resp(struct conn *c, uint64_t now) {
  size_t pos = 0;
  while (pos < c->in_len) {
    const char *r = c->in + pos;
    long len = resp_value_len(r, c->in_len - pos, 0);
    if (len == 0) break;
    if (len < 0) {
      conn_fail(c, "malformed RESP reply");
      return -1;
    }
    if (c->done >= c->sent) {
      conn_fail(c, "reply to a command never sent");
      return -1;
    }
    uint64_t k = c->done;
    int ok;
    const char *why = "unexpected reply";
    if (IS_TYPES_MODE(opt.mode)) {
      why = types_check((enum types_mode)(opt.mode - MODE_FIRST_TYPES), phase, c->id, k, r, (size_t)len);
      ok = why == NULL;
    } else if (r[0] == '-') {
      ok = 0;
      why = "error reply";
    } else if (k % 2 == 0) {
      ok = len == 5 && memcmp(r, "+OK\r\n", 5) == 0;
    } else {
      char want[32];
      want[0] = '$';
      size_t wl = 1 + append_uint(want + 1, opt.size);
      want[wl++] = '\r', want[wl++] = '\n';
      ok = (size_t)len == wl + opt.size + 2 && memcmp(r, want, wl) == 0 &&
           memcmp(r + wl, msg_bytes(c, k - 1), opt.size) == 0;
      if (!ok) why = "GET did not return the value just SET";
    }
    complete(c, ok, now, why);
    pos += (size_t)len;
  }
  return (long)pos;
}
