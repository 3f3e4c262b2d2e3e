// What the reactor and JavaScript must agree on, defined once: the layout of the shared record
// and op arrays, the syscall codes in records, the connection-id encoding, the sizes of the
// shared memory and the defaults of the options. addon.cc exports what JavaScript needs as
// `constants` (typed in index.d.ts), so @nevio/core does not restate a number.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nevio {

// One entry of `records` or `ops`: four int32, so JavaScript reads them from one Int32Array.
struct Record {
  int32_t kind, id, a, b;
};
constexpr int kRecordWords = sizeof(Record) / sizeof(int32_t);
static_assert(kRecordWords == 4, "JavaScript walks records four int32 at a time");

// Records (reactor -> JavaScript).
enum RecordKind : int32_t {
  kRecordOpen = 1,      // id: connection, a: listener index (kOutbound: a dial that connected)
  kRecordData = 2,      // id: connection, a: offset in the read buffer, b: length
  kRecordInbound = 3,   // id: connection, b: length of its inbound buffer (fetch it with Inbound)
  kRecordWake = 4,      // id: connection, b: length of its inbound buffer
  kRecordClosed = 5,    // id: connection, a: errno (0: closed cleanly), b: syscall code
  kRecordDatagram = 6,  // id: listener index, a: payload offset (sender address kAddressSlot bytes before), b: length
  kRecordStopped = 7,   // every connection is closed after Stop
  kRecordError = 8,     // id: listener index (-1: the poller), a: errno, b: syscall code; the reactor carries on
  kRecordDrained = 9,   // id: connection; its pending output fell to the low watermark after exceeding the high one
  kRecordEnd = 10,      // id: connection; the peer finished sending (half-open mode: it is still writable)
};

// Ops (JavaScript -> reactor).
enum OpKind : int32_t {
  kOpWrite = 1,    // id: connection, a: offset in the stage buffer, b: length
  kOpClose = 2,    // id: connection; closes once its output is written
  kOpConsume = 3,  // id: connection, a: bytes of the presented data the handler consumed
  kOpCloseWrite = 4,  // id: connection; sends FIN once its output is written, and goes on reading
};

// Syscall codes in records, so JavaScript can name the call without a string per record.
// kSyscallNames is indexed by them (and exported as `constants.syscalls`).
enum SyscallCode : int32_t {
  kCallNone = 0, kCallRead, kCallWrite, kCallAccept, kCallRecv, kCallSend, kCallWait, kCallShutdown, kCallConnect,
  kCallTls,  // not a system call: the TLS session failed (the reactor keeps OpenSSL's reason for JavaScript)
  kCallCount
};
inline constexpr const char* kSyscallNames[kCallCount] = {
    "", "read", "write", "accept", "recvfrom", "sendto",
#if defined(__linux__)
    "epoll_wait",
#else
    "kevent",
#endif
    "shutdown", "connect", "tls",
};

// The listener index of an outbound connection in its kRecordOpen (listeners count from 0).
constexpr int32_t kOutbound = -1;

// Connection ids are slot | generation << kSlotBits, below 2^kIdBits (positive int32): a million
// live connections with O(1) lookup. Each slot counts its own occupants in its 11 generation
// bits, so an id that JavaScript still holds after its connection closed matches none of the
// slot's next 2047 occupants, however many connections come and go in other slots. The ids are
// per reactor: @nevio/core puts the loop's index above these 31 bits to make conn.id unique over
// the loops of a server.
constexpr uint32_t kIdBits = 31;
constexpr uint32_t kSlotBits = 20;
constexpr uint32_t kSlotMask = (1u << kSlotBits) - 1;
constexpr uint32_t kGenerationMask = (1u << (kIdBits - kSlotBits)) - 1;

// A UDP sender's address is stored in this many bytes just before each payload in the read
// buffer (a sockaddr_storage is 128 bytes on Linux and the BSDs; socket.cc asserts it fits).
constexpr size_t kAddressSlot = 128;

// Shared memory, allocated once per reactor as JavaScript ArrayBuffers.
constexpr int kMaxRecords = 4096;  // a full round of 1024 events rarely makes more than 2 each
constexpr int kMaxOps = 16384;     // JavaScript flushes early when it fills up
// Room for a full round of reads: 16 connections at the 64 KiB budget, or many more small ones.
constexpr size_t kReadBufferSize = 1 << 20;
constexpr size_t kStageSize = 1 << 20;
// A read must leave room for others in the round's read buffer.
constexpr size_t kMaxReadChunk = kReadBufferSize / 2;

// Option defaults (@nevio/core's `defaults` reads them from `constants.defaults`).
constexpr int kDefaultBacklog = 511;                   // listen(2): Redis's and nginx's default (Linux caps it at somaxconn)
constexpr size_t kDefaultReadChunk = 64 * 1024;        // one read per connection per round: the starvation budget
constexpr size_t kDefaultHighWatermark = 1 << 20;      // stop reading a connection whose pending output exceeds this
constexpr size_t kDefaultLowWatermark = 256 * 1024;    // ... and read again once it drains to this
constexpr size_t kDefaultMaxInbound = 256u << 20;      // unconsumed input beyond this closes the connection (ENOBUFS)
constexpr int kDefaultAcceptBudget = 64;               // accepts per listener per round, so a storm cannot starve I/O
// How long a closed connection, its output written and its FIN sent, waits for the peer's FIN
// while dropping what the peer still sends (nginx's lingering_timeout is 5 s too). Closing
// sooner, with input unread, makes the kernel answer with RST and throw away output in flight.
constexpr int64_t kDefaultLingerMs = 5000;

}  // namespace nevio
