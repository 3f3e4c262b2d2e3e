// A tiny test harness for the reactor's unit tests: TEST registers a function, CHECK and
// CHECK_EQ fail it with the expression and its location. main.cc runs every test (or those whose
// names contain argv[1]), prints "ok NAME" or "FAIL NAME: why" per test and, last,
// "N passed, M failed"; the exit status is 1 when any failed.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace check {

struct Test {
  const char* name;
  void (*run)();
};

inline std::vector<Test>& Registry() {
  static std::vector<Test> tests;
  return tests;
}

struct Registrar {
  Registrar(const char* name, void (*run)()) { Registry().push_back({name, run}); }
};

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void Fail(const char* file, int line, const std::string& what) {
  std::ostringstream message;
  message << file << ":" << line << ": " << what;
  throw Failure(message.str());
}

template <typename A, typename B>
void Equal(const A& actual, const B& expected, const char* expression, const char* file, int line) {
  if (actual == expected) return;
  std::ostringstream what;
  what << expression << ": got " << actual << ", expected " << expected;
  Fail(file, line, what.str());
}

}  // namespace check

#define TEST(name)                                                  \
  static void name();                                               \
  static const check::Registrar name##_registrar(#name, &name);     \
  static void name()

#define CHECK(condition) \
  ((condition) ? static_cast<void>(0) : check::Fail(__FILE__, __LINE__, "CHECK(" #condition ") failed"))

#define CHECK_EQ(actual, expected) check::Equal((actual), (expected), #actual " == " #expected, __FILE__, __LINE__)
