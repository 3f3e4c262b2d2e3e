// Completion-based socket I/O on one io_uring (uring_io.h).
#include "uring_io.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/socket.h>

namespace nevio {

namespace {

// The one buffer group of a ring: every multishot receive selects from it.
constexpr uint16_t kBufferGroup = 0;

}  // namespace

UringIo::~UringIo() {
  if (buffers_ != nullptr) {
    if (open_) io_uring_unregister_buf_ring(&ring_, kBufferGroup);
    munmap(buffers_, buffer_count_ * sizeof(io_uring_buf));
  }
  if (open_) io_uring_queue_exit(&ring_);
}

int UringIo::Fail(const char* call, int err) {
  failed_call_ = call;
  return err;
}

int UringIo::Open(unsigned entries) {
  int rc = io_uring_queue_init(entries, &ring_, 0);
  if (rc < 0) return Fail("io_uring_setup", rc);
  open_ = true;
  return 0;
}

int UringIo::ProvideBuffers(uint8_t* memory, unsigned count, unsigned size) {
  if (buffers_ != nullptr || count == 0 || count > 32768 || (count & (count - 1)) != 0) return Fail("io_uring_register_buf_ring", -EINVAL);
  // The kernel wants the ring page-aligned; mmap gives whole pages.
  void* ring = mmap(nullptr, count * sizeof(io_uring_buf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring == MAP_FAILED) return Fail("mmap", -errno);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(ring);
  reg.ring_entries = count;
  reg.bgid = kBufferGroup;
  int rc = io_uring_register_buf_ring(&ring_, &reg, 0);
  if (rc < 0) {
    munmap(ring, count * sizeof(io_uring_buf));
    return Fail("io_uring_register_buf_ring", rc);
  }
  buffers_ = static_cast<io_uring_buf_ring*>(ring);
  buffer_count_ = count;
  buffer_size_ = size;
  memory_ = memory;
  io_uring_buf_ring_init(buffers_);
  for (unsigned id = 0; id < count; id++) {
    io_uring_buf_ring_add(buffers_, BufferAt(static_cast<int>(id)), size, static_cast<unsigned short>(id), io_uring_buf_ring_mask(count), static_cast<int>(id));
  }
  io_uring_buf_ring_advance(buffers_, static_cast<int>(count));
  return 0;
}

void UringIo::ReturnBuffer(int id) {
  io_uring_buf_ring_add(buffers_, BufferAt(id), buffer_size_, static_cast<unsigned short>(id), io_uring_buf_ring_mask(buffer_count_), 0);
  io_uring_buf_ring_advance(buffers_, 1);
}

io_uring_sqe* UringIo::Sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe != nullptr) return sqe;
  // The SQ is full: hand it to the kernel and take a fresh slot.
  int rc = io_uring_submit(&ring_);
  if (rc < 0) {
    Fail("io_uring_enter", rc);
    return nullptr;
  }
  return io_uring_get_sqe(&ring_);
}

int UringIo::AcceptMultishot(int listener, uint64_t tag) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  io_uring_prep_multishot_accept(sqe, listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, tag);
  return 0;
}

int UringIo::RecvMultishot(int fd, uint64_t tag) {
  if (buffers_ == nullptr) return Fail("io_uring recv", -ENOBUFS);
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  io_uring_sqe_set_data64(sqe, tag);
  return 0;
}

int UringIo::Send(int fd, const uint8_t* bytes, size_t length, bool dont_wait, uint64_t tag) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  // MSG_NOSIGNAL: a peer that is gone is an EPIPE completion, not a SIGPIPE for the process.
  io_uring_prep_send(sqe, fd, bytes, length, MSG_NOSIGNAL | (dont_wait ? MSG_DONTWAIT : 0));
  io_uring_sqe_set_data64(sqe, tag);
  return 0;
}

int UringIo::CancelAll(int fd, uint64_t tag) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return -EBUSY;
  io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, tag);
  return 0;
}

int UringIo::Submit(unsigned wait_for) {
  int rc = wait_for == 0 ? io_uring_submit(&ring_) : io_uring_submit_and_wait(&ring_, wait_for);
  return rc < 0 ? Fail("io_uring_enter", rc) : 0;
}

int UringIo::Reap(UringCompletion* out, int max) {
  int count = 0;
  unsigned head;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    if (count == max) break;
    out[count++] = {io_uring_cqe_get_data64(cqe), cqe->res, cqe->flags};
  }
  io_uring_cq_advance(&ring_, static_cast<unsigned>(count));
  return count;
}

}  // namespace nevio
