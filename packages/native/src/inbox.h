// The inbox: how other threads hand work to a reactor (adopt a descriptor, write, wake, close)
// without touching its state. A post appends a message to the reactor's own queue and wakes
// its poller; the owning thread drains the queue at the start of its next round, so a
// connection is only ever touched by the thread of its reactor.
//
// Finding the inbox of a reactor by id takes no process-wide lock. Inboxes live in a slot table
// whose storage is never freed (chunks of 64, allocated on demand), so a pointer found there
// stays valid for ever; each inbox has its own small mutex and the id of the reactor that
// currently owns it. A post locks only that mutex and checks the id: when the reactor is gone —
// or its slot already belongs to a newer reactor, whose id has another generation — the post
// fails cleanly, as it must for a worker loop whose thread ended. Why not a refcounted
// std::shared_ptr per reactor: loading a shared_ptr atomically takes a lock in libstdc++ (a
// hashed pool of mutexes), and the count would be bumped by every post of every thread; a slot
// that is never freed needs neither.
//
// Only opening and closing an inbox (once per reactor) takes the table's mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "poller.h"

namespace nevio {

struct Message {
  enum class Kind : uint8_t { kAdopt, kWrite, kWake, kClose } kind;
  int32_t id;        // connection (kWrite, kWake, kClose)
  int fd;            // kAdopt
  int32_t listener;  // kAdopt: the accepting reactor's listener index
  std::vector<uint8_t> bytes;
};

class Inbox {
 public:
  // Takes a free slot for a reactor whose poller is woken by each post. Never returns null:
  // allocation failure throws std::bad_alloc, and more than kMaxInboxes reactors alive at once
  // throws std::length_error.
  static Inbox* Open(Poller* poller);
  // Thread-safe, from any thread: queues `message` for reactor `reactor` and wakes it. False if
  // that reactor is gone (the message is dropped; an adopted descriptor stays the caller's).
  static bool Post(int32_t reactor, Message&& message);
  // Open connections of reactor `reactor` (counting the ones posted to it and not yet adopted),
  // or -1 if it is gone. Lock-free: one atomic load each for the owner and the count.
  static int64_t Load(int32_t reactor);

  // The owning reactor's process-wide id: slot | generation << kInboxSlotBits.
  int32_t id() const { return id_.load(std::memory_order_relaxed); }
  // The owning reactor's open connections; written by its thread and by posts of kAdopt.
  std::atomic<int64_t>& live() { return live_; }
  // Owning thread: takes every queued message.
  void Drain(std::vector<Message>* out);
  // Owning thread, before its reactor is destroyed: no post succeeds after this returns; what
  // was still queued goes to `leftover` (adopted descriptors must still be closed).
  void Close(std::vector<Message>* leftover);

  Inbox() = default;
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

 private:
  friend class InboxTable;
  std::mutex mutex_;
  std::vector<Message> queue_;  // guarded by mutex_
  Poller* poller_ = nullptr;    // guarded by mutex_; null once closed (never left dangling)
  std::atomic<int32_t> id_{0};  // 0 while the slot is free
  std::atomic<int64_t> live_{0};
  uint32_t generation_ = 0;     // guarded by the table's mutex
};

}  // namespace nevio
