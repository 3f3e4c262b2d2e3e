/* Requests and reply checks for the load generator's data-type modes: XADD, a consumer group's
 * XREADGROUP + XACK loop, PFADD and GEOADD. Message k of connection `conn` is a pure function of
 * (mode, phase, conn, k), like the SET/GET mode's, so the generator can pipeline and check each
 * reply against the request that asked for it without keeping requests around. */
#ifndef NEVIO_BENCH_RESP_TYPES_H
#define NEVIO_BENCH_RESP_TYPES_H

#include <stddef.h>
#include <stdint.h>

enum types_mode { TYPES_XADD, TYPES_XGROUP, TYPES_PFADD, TYPES_GEOADD };

/* The XREADGROUP + XACK mode runs in two phases: FILL creates each connection's stream and
 * group and appends entries to it (not measured), RUN consumes them. The other modes only RUN. */
enum types_phase { PHASE_FILL, PHASE_RUN };

/* Bytes a request takes at most beyond its `size`-byte value. */
#define TYPES_MAX_OVERHEAD 192

/* Writes message k into p (room for size + TYPES_MAX_OVERHEAD bytes); returns its length.
 * `value` is the size-byte field value of an XADD. */
size_t types_build(enum types_mode mode, enum types_phase phase, int conn, uint64_t k, const unsigned char *value,
                   size_t size, char *p);

/* NULL when the complete RESP reply r[0..len) is the right answer to message k, else why not. */
const char *types_check(enum types_mode mode, enum types_phase phase, int conn, uint64_t k, const char *r, size_t len);

#endif
