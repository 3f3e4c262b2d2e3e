// without_uring [--errno=EPERM|ENOSYS] COMMAND [ARG...]: runs COMMAND with io_uring refused by a
// seccomp filter, the way a container runtime refuses it (Docker's default profile answers
// io_uring_setup with EPERM; a kernel built without io_uring answers ENOSYS). The tests use it
// to make nevio's io_uring probe fail for real, through the same system call a real refusal hits,
// without touching the machine-wide kernel.io_uring_disabled.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace {

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#else
#error "without_uring knows x86-64 and arm64 only"
#endif

int Refuse(int err) {
  const unsigned refuse = SECCOMP_RET_ERRNO | (static_cast<unsigned>(err) & SECCOMP_RET_DATA);
  sock_filter filter[] = {
      // Another architecture's system call numbers mean other calls: let them through.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, refuse),
  };
  sock_fprog program = {static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  // Without no_new_privs an unprivileged process may not install a filter.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) return errno;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  int err = EPERM;
  if (argc > 1 && std::strncmp(argv[1], "--errno=", 8) == 0) {
    const char* name = argv[1] + 8;
    if (std::strcmp(name, "EPERM") == 0) {
      err = EPERM;
    } else if (std::strcmp(name, "ENOSYS") == 0) {
      err = ENOSYS;
    } else {
      std::fprintf(stderr, "without_uring: --errno must be EPERM or ENOSYS, not %s\n", name);
      return 2;
    }
    first = 2;
  }
  if (first >= argc) {
    std::fprintf(stderr, "usage: without_uring [--errno=EPERM|ENOSYS] COMMAND [ARG...]\n");
    return 2;
  }
  int rc = Refuse(err);
  if (rc != 0) {
    std::fprintf(stderr, "without_uring: prctl: %s\n", std::strerror(rc));
    return 1;
  }
  execvp(argv[first], argv + first);
  std::fprintf(stderr, "without_uring: execvp %s: %s\n", argv[first], std::strerror(errno));
  return 127;
}
