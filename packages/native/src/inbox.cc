#include "inbox.h"

#include <memory>
#include <stdexcept>

namespace nevio {

namespace {

// Reactor ids: slot | generation << kInboxSlotBits. 65536 reactors alive at once is far beyond
// one per core; 15 generation bits keep ids positive int32, and the generation starts at 1 so
// no id is 0. A post that looked its slot up just before the slot was reused would need 32768
// reactors to come and go in that slot meanwhile to be mistaken for the newest one.
constexpr uint32_t kInboxSlotBits = 16;
constexpr uint32_t kInboxSlotMask = (1u << kInboxSlotBits) - 1;
constexpr uint32_t kInboxGenerationMask = (1u << (31 - kInboxSlotBits)) - 1;
constexpr uint32_t kChunkBits = 6;  // 64 inboxes (about 8 KiB) per chunk
constexpr uint32_t kChunkSize = 1u << kChunkBits;
constexpr uint32_t kMaxInboxes = 1u << kInboxSlotBits;
constexpr uint32_t kMaxChunks = kMaxInboxes / kChunkSize;

}  // namespace

class InboxTable {
 public:
  // Lock-free: a chunk, once published, is never freed or moved.
  Inbox* Find(int32_t reactor) const {
    return reactor <= 0 ? nullptr : Slot(static_cast<uint32_t>(reactor) & kInboxSlotMask);
  }

  Inbox* Slot(uint32_t slot) const {
    Inbox* chunk = chunks_[slot >> kChunkBits].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : &chunk[slot & (kChunkSize - 1)];
  }

  Inbox* Take(Poller* poller) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) Grow();
    uint32_t slot = free_.back();
    free_.pop_back();
    Inbox* box = Slot(slot);
    box->generation_ = box->generation_ % kInboxGenerationMask + 1;
    box->live_.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> box_lock(box->mutex_);
      box->poller_ = poller;
      box->id_.store(static_cast<int32_t>(slot | (box->generation_ << kInboxSlotBits)), std::memory_order_release);
    }
    return box;
  }

  void Give(uint32_t slot) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(slot);
  }

 private:
  void Grow() {
    if (used_chunks_ == kMaxChunks) throw std::length_error("nevio: too many reactors alive at once");
    // Deliberately never freed (it stays reachable from the table): reactors of other threads
    // may post while static destructors run.
    auto* chunk = new Inbox[kChunkSize];
    uint32_t first = used_chunks_ * kChunkSize;
    chunks_[used_chunks_++].store(chunk, std::memory_order_release);
    // Hand out low slots first.
    for (uint32_t i = kChunkSize; i-- > 0;) free_.push_back(first + i);
  }

  std::atomic<Inbox*> chunks_[kMaxChunks] = {};
  std::mutex mutex_;
  std::vector<uint32_t> free_;  // guarded by mutex_
  uint32_t used_chunks_ = 0;    // guarded by mutex_
};

namespace {

// Constructed on first use and never destroyed, for the same reason as its chunks.
InboxTable& Table() {
  static InboxTable* table = new InboxTable;
  return *table;
}

}  // namespace

Inbox* Inbox::Open(Poller* poller) { return Table().Take(poller); }

bool Inbox::Post(int32_t reactor, Message&& message) {
  Inbox* box = Table().Find(reactor);
  if (box == nullptr) return false;
  std::lock_guard<std::mutex> lock(box->mutex_);
  // Checked under the inbox's mutex, which Close takes too: the reactor cannot go away between
  // this check and the wake-up below.
  if (box->id_.load(std::memory_order_relaxed) != reactor) return false;
  // Counted now, so that least-connections sees the connections still in flight.
  if (message.kind == Message::Kind::kAdopt) box->live_.fetch_add(1, std::memory_order_relaxed);
  box->queue_.push_back(std::move(message));
  box->poller_->Wake();
  return true;
}

int64_t Inbox::Load(int32_t reactor) {
  Inbox* box = Table().Find(reactor);
  if (box == nullptr || box->id_.load(std::memory_order_acquire) != reactor) return -1;
  // A reactor that closes right now may report its last count; balancing only needs a hint.
  return box->live_.load(std::memory_order_relaxed);
}

void Inbox::Drain(std::vector<Message>* out) {
  std::lock_guard<std::mutex> lock(mutex_);
  out->swap(queue_);
}

void Inbox::Close(std::vector<Message>* leftover) {
  uint32_t slot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    poller_ = nullptr;
    leftover->swap(queue_);
    queue_.clear();
    slot = static_cast<uint32_t>(id_.load(std::memory_order_relaxed)) & kInboxSlotMask;
    id_.store(0, std::memory_order_release);
  }
  // Only now may another reactor take the slot.
  Table().Give(slot);
}

}  // namespace nevio
