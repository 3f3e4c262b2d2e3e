// Whether io_uring works here (backend.h): sets up a small ring the way UringPoller does and
// asks the kernel which operations it supports, then names the cause of a refusal.
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include <fstream>
#include <string>

#include "backend.h"

#ifdef NEVIO_HAVE_URING
#include <liburing.h>
#endif

namespace nevio {

namespace {

#ifdef NEVIO_HAVE_URING
std::string KernelRelease() {
  utsname name{};
  return uname(&name) == 0 ? name.release : "unknown";
}

// kernel.io_uring_disabled (Linux 6.6+): 0 allowed, 1 only for the io_uring_group, 2 refused.
// Absent on older kernels, which is the same as 0.
std::string DisabledSetting() {
  std::ifstream file("/proc/sys/kernel/io_uring_disabled");
  std::string value;
  if (!(file >> value)) return "";
  return value;
}

std::string SetupRefused(int err) {
  std::string call = std::string("io_uring_setup: ") + strerrorname_np(err);
  if (err == ENOSYS) return call + " (kernel " + KernelRelease() + " has no io_uring, or a seccomp filter hides it)";
  if (err == EPERM) {
    std::string disabled = DisabledSetting();
    if (disabled == "2") return call + " (kernel.io_uring_disabled=2: io_uring is off for every process)";
    if (disabled == "1") return call + " (kernel.io_uring_disabled=1: only members of kernel.io_uring_group may use it)";
    return call + " (refused by a seccomp filter or a container's security profile)";
  }
  if (err == ENOMEM) return call + " (not enough locked memory for the ring: raise RLIMIT_MEMLOCK, ulimit -l)";
  return call;
}
#endif

}  // namespace

#ifdef NEVIO_HAVE_URING

bool UringBuilt() { return true; }

std::string UringUnavailable() {
  io_uring ring;
  int rc = io_uring_queue_init(4, &ring, 0);
  if (rc < 0) return SetupRefused(-rc);
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  std::string missing;
  if (probe == nullptr) {
    missing = "io_uring_register(IORING_REGISTER_PROBE) failed";
  } else {
    // What UringPoller submits. POLL_ADD and POLL_REMOVE date from Linux 5.1, the probe itself
    // from 5.6: a kernel without the probe is too old anyway.
    if (!io_uring_opcode_supported(probe, IORING_OP_POLL_ADD)) missing = "IORING_OP_POLL_ADD";
    if (!io_uring_opcode_supported(probe, IORING_OP_POLL_REMOVE)) missing = "IORING_OP_POLL_REMOVE";
    io_uring_free_probe(probe);
    if (!missing.empty()) missing = "kernel " + KernelRelease() + " lacks " + missing;
  }
  io_uring_queue_exit(&ring);
  return missing;
}

#else

bool UringBuilt() { return false; }

std::string UringUnavailable() {
  return "this addon was built without liburing (install liburing-dev, e.g. apt-get install liburing-dev, and rebuild @nevio/native)";
}

#endif

}  // namespace nevio
