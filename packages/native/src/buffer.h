// Per-connection byte buffers. Both are empty and hold no memory while a connection is idle:
// storage is taken when bytes must be kept and given back as soon as they are consumed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace nevio {

// Reference-counted storage for unconsumed inbound bytes. JavaScript may hold a view of it
// (an external Buffer) beyond the reactor's own use, so it is freed by whoever lets go last:
// a view a handler kept by mistake sees stale bytes, never freed memory.
class Blob {
 public:
  static Blob* Create(size_t capacity) {
    void* memory = std::malloc(sizeof(Blob) + capacity);
    if (memory == nullptr) throw std::bad_alloc();
    return new (memory) Blob(capacity);
  }
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      this->~Blob();
      std::free(this);
    }
  }
  uint8_t* data() { return reinterpret_cast<uint8_t*>(this + 1); }
  size_t capacity() const { return capacity_; }

 private:
  explicit Blob(size_t capacity) : capacity_(capacity) {}
  std::atomic<int> refs_{1};
  size_t capacity_;
};

// Unconsumed inbound bytes: [start, end) of a Blob.
class InboundBuffer {
 public:
  InboundBuffer() = default;
  InboundBuffer(const InboundBuffer&) = delete;
  InboundBuffer& operator=(const InboundBuffer&) = delete;
  ~InboundBuffer() { Release(); }

  bool empty() const { return start_ == end_; }
  size_t size() const { return end_ - start_; }
  uint8_t* data() { return blob_ ? blob_->data() + start_ : nullptr; }
  Blob* blob() { return blob_; }
  size_t start() const { return start_; }

  // Returns room for at least `want` more bytes after the current content. Content is moved to
  // the front or into a larger blob (doubling, so a large frame arriving in pieces costs
  // amortised linear copying); a blob JavaScript still views is replaced, never written under it.
  uint8_t* Reserve(size_t want) {
    if (blob_ != nullptr && blob_->capacity() - end_ >= want) return blob_->data() + end_;
    size_t needed = size() + want;
    size_t capacity = blob_ ? blob_->capacity() : 0;
    if (capacity < needed) {
      capacity = capacity < 4096 ? 4096 : capacity;
      while (capacity < needed) capacity *= 2;
    }
    Blob* fresh = Blob::Create(capacity);
    if (!empty()) std::memcpy(fresh->data(), blob_->data() + start_, size());
    end_ = size();
    start_ = 0;
    if (blob_ != nullptr) blob_->Unref();
    blob_ = fresh;
    return blob_->data() + end_;
  }
  void Commit(size_t n) { end_ += n; }
  void Append(const uint8_t* bytes, size_t n) {
    std::memcpy(Reserve(n), bytes, n);
    Commit(n);
  }
  void Consume(size_t n) {
    start_ += n < size() ? n : size();
    if (empty()) Release();
  }
  void Release() {
    if (blob_ != nullptr) blob_->Unref();
    blob_ = nullptr;
    start_ = end_ = 0;
  }

 private:
  Blob* blob_ = nullptr;
  size_t start_ = 0;
  size_t end_ = 0;
};

// Output the kernel has not taken yet, in order. Only JavaScript-independent memory: nothing
// outside the reactor ever sees it.
class OutboundBuffer {
 public:
  OutboundBuffer() = default;
  OutboundBuffer(const OutboundBuffer&) = delete;
  OutboundBuffer& operator=(const OutboundBuffer&) = delete;
  ~OutboundBuffer() { std::free(data_); }

  bool empty() const { return start_ == end_; }
  size_t size() const { return end_ - start_; }
  const uint8_t* data() const { return data_ + start_; }
  size_t capacity() const { return capacity_; }

  void Append(const uint8_t* bytes, size_t n) {
    if (capacity_ - end_ < n) Grow(n);
    std::memcpy(data_ + end_, bytes, n);
    end_ += n;
  }
  void Consume(size_t n) {
    start_ += n;
    if (start_ == end_) {
      // Drained: give the memory back so a connection that was once slow holds nothing now.
      std::free(data_);
      data_ = nullptr;
      capacity_ = start_ = end_ = 0;
    }
  }

 private:
  void Grow(size_t n) {
    size_t used = size();
    if (start_ > 0 && capacity_ - used >= n && start_ >= capacity_ / 2) {
      std::memmove(data_, data_ + start_, used);
    } else {
      size_t capacity = capacity_ < 4096 ? 4096 : capacity_;
      while (capacity - used < n) capacity *= 2;
      auto* fresh = static_cast<uint8_t*>(std::malloc(capacity));
      if (fresh == nullptr) throw std::bad_alloc();
      if (used > 0) std::memcpy(fresh, data_ + start_, used);
      std::free(data_);
      data_ = fresh;
      capacity_ = capacity;
    }
    start_ = 0;
    end_ = used;
  }

  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace nevio
