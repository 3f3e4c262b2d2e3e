// Completion-based socket I/O on one io_uring: the operations stage 2 of the io_uring backend
// builds the reactor's rounds from (docs/architecture.md, "Stage 2"). Plain calls over the
// ring, no reactor policy: multishot accept, multishot receive into a provided-buffer ring over
// memory the caller owns (the reactor's shared read buffer, which JavaScript views), sends,
// cancellation of every operation on a descriptor, and reaping completions.
//
// Ownership of provided buffers: a buffer is the kernel's from ProvideBuffers/ReturnBuffer until
// a receive completion names it (UringCompletion::buffer), then the caller's until it hands it
// back with ReturnBuffer. Returning is a store into the shared buffer ring, no system call.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

namespace nevio {

struct UringCompletion {
  uint64_t tag;
  int32_t res;     // bytes, a new descriptor, or -errno
  uint32_t flags;  // IORING_CQE_F_*
  // A multishot operation goes on posting completions (otherwise it ended and must be re-armed).
  bool more() const { return (flags & IORING_CQE_F_MORE) != 0; }
  // The provided buffer the bytes are in, or -1.
  int buffer() const { return (flags & IORING_CQE_F_BUFFER) ? static_cast<int>(flags >> IORING_CQE_BUFFER_SHIFT) : -1; }
};

class UringIo {
 public:
  UringIo() = default;
  UringIo(const UringIo&) = delete;
  UringIo& operator=(const UringIo&) = delete;
  ~UringIo();

  // Every call returns 0 or -errno; FailedCall names the call.
  int Open(unsigned entries);
  int Fd() const { return ring_.ring_fd; }
  // `count` buffers (a power of two, at most 32768) of `size` bytes at `memory`, which must
  // outlive this ring; all given to the kernel.
  int ProvideBuffers(uint8_t* memory, unsigned count, unsigned size);
  uint8_t* BufferAt(int id) const { return memory_ + static_cast<size_t>(id) * buffer_size_; }
  unsigned buffer_size() const { return buffer_size_; }
  void ReturnBuffer(int id);

  int AcceptMultishot(int listener, uint64_t tag);
  // Receives into provided buffers until the peer's FIN (res 0), an error, or no buffer is left
  // (-ENOBUFS); each of those ends it (no IORING_CQE_F_MORE).
  int RecvMultishot(int fd, uint64_t tag);
  // One send of `length` bytes; `dont_wait` makes a full socket complete with what it took (or
  // -EAGAIN) instead of waiting for room. `bytes` must stay valid until the completion.
  int Send(int fd, const uint8_t* bytes, size_t length, bool dont_wait, uint64_t tag);
  // Cancels every operation on `fd`; each completes with -ECANCELED (or its own outcome when it
  // was finishing), and the cancel itself completes with `tag` and the count cancelled.
  int CancelAll(int fd, uint64_t tag);

  // Hands the queued operations to the kernel; waits for `wait_for` completions (0: none).
  int Submit(unsigned wait_for = 0);
  // At most `max` completions (never blocks).
  int Reap(UringCompletion* out, int max);
  const char* FailedCall() const { return failed_call_; }

 private:
  int Fail(const char* call, int err);
  io_uring_sqe* Sqe();

  io_uring ring_{};
  bool open_ = false;
  io_uring_buf_ring* buffers_ = nullptr;  // page-aligned, registered as group kBufferGroup
  unsigned buffer_count_ = 0;
  unsigned buffer_size_ = 0;
  uint8_t* memory_ = nullptr;
  const char* failed_call_ = "";
};

}  // namespace nevio
