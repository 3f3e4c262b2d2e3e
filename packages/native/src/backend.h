// Which I/O mechanism a reactor's poller runs on, and whether io_uring can run here.
//
// Linux has two: epoll (the default, everywhere) and io_uring (uring_poller.cc, only when the
// addon was built against liburing). io_uring can be missing or refused at run time for reasons
// no build can see: an old kernel, `kernel.io_uring_disabled`, a container's seccomp profile
// (Docker's default refuses io_uring_setup with EPERM), or a memlock limit too small for the
// ring. UringUnavailable tries what the backend needs, the way the backend would, and says why
// it cannot, so that `auto` can fall back to epoll with a reason and a forced `io_uring` can fail
// with one.
#pragma once

#include <string>

namespace nevio {

// kEpoll is this OS's readiness poller, whichever it is; kOsPoller is its name.
enum class Backend { kEpoll, kIoUring };
#if defined(__linux__)
constexpr const char* kOsPoller = "epoll";
#else
constexpr const char* kOsPoller = "kqueue";
#endif

// Whether this addon was built with liburing (binding.gyp defines NEVIO_HAVE_URING).
bool UringBuilt();
// Empty when an io_uring backend can be opened here; otherwise why not, in one line naming the
// failing call and its likely cause.
std::string UringUnavailable();

}  // namespace nevio
