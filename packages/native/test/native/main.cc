// Runs the reactor's unit tests; see check.h.
#include <cstdio>
#include <cstring>
#include <exception>

#include "check.h"

int main(int argc, char** argv) {
  const char* only = argc > 1 ? argv[1] : nullptr;
  int passed = 0;
  int failed = 0;
  for (const check::Test& test : check::Registry()) {
    if (only != nullptr && std::strstr(test.name, only) == nullptr) continue;
    try {
      test.run();
      std::printf("ok %s\n", test.name);
      passed++;
    } catch (const std::exception& error) {
      std::printf("FAIL %s: %s\n", test.name, error.what());
      failed++;
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
