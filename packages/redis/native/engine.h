// One Lua 5.1 interpreter of the scripting engine (Redis keeps two: one for EVAL, one for
// FUNCTION libraries; nevio does the same, so SCRIPT FLUSH and FUNCTION FLUSH stay apart).
//
// A script runs in a coroutine of the interpreter, resumed from C++. A count hook looks at the
// clock every kHookInstructions instructions: past the busy threshold the hook yields the
// coroutine back to JavaScript (when the Lua frames allow it, see CanYield in engine.cc), which
// returns to Node's event loop in "busy" mode and resumes the script in slices; SCRIPT KILL sets
// `killed_`, and the next hook raises the kill error. Lua is the C++ build (liblua5.1-c++), so a
// Lua error is a C++ exception: it unwinds through the addon's frames and runs their destructors.
#pragma once

#include <lua.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nevio::lua {

// What the interpreter asks of the server while a script runs.
class Host {
 public:
  virtual ~Host() = default;
  // redis.call/pcall: runs `argv` as the script's client and returns its reply in RESP (valid
  // until the next call). Throws std::exception if the server itself failed.
  virtual std::string_view Call(const std::vector<std::string_view>& argv) = 0;
  // redis.acl_check_cmd: 1 when the script's caller may run `argv`, 0 when its ACL user may
  // not, -1 when there is no such command.
  virtual int AclCheck(const std::vector<std::string_view>& argv) = 0;
  // redis.log at `level` (0 debug … 3 warning).
  virtual void Log(int level, std::string_view message) = 0;
  // redis.setresp: the script's client now speaks RESP `version` (2 or 3).
  virtual void SetResp(int version) = 0;
  // redis.set_repl: which of AOF (1) and replicas (2) the script's writes go to.
  virtual void SetRepl(int flags) = 0;
  // The script passed the busy threshold (once per run): the server answers BUSY from now on.
  virtual void TimedOut() = 0;
};

enum class Mode { kEval, kFunctions };

// How a run ended (Start/Resume).
enum class RunStatus { kDone, kYielded };

// The outcome of a finished run, in the caller's protocol.
struct RunResult {
  std::string reply;                 // RESP bytes
  bool error = false;                // the reply is an error reply (the command failed)
  std::vector<std::string> counted;  // error replies in it that count in errorstats
};

class Engine {
 public:
  Engine(Host* host, Mode mode, size_t memory_limit);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Compiles `body` (chunk name "@user_script" or "@user_function"); on success the function is
  // kept under the returned reference; on failure returns LUA_NOREF and sets `error` to Lua's
  // message.
  int Compile(std::string_view body, const char* chunkname, std::string* error);
  void Release(int ref);

  // FUNCTION LOAD: runs a compiled library body with the library API as globals; each
  // redis.register_function lands in `registered`. False and `error` on failure.
  struct Registered {
    std::string name;
    std::string description;
    bool has_description = false;
    uint32_t flags = 0;
    int ref = LUA_NOREF;
  };
  bool LoadLibrary(int ref, int64_t timeout_ms, std::vector<Registered>* registered, std::string* error);

  // Runs the function `ref`. Eval mode: KEYS and ARGV become globals; function mode: they are
  // the function's two arguments. `caller_resp`: the protocol the reply is written in.
  // `can_yield`: the busy hook may hand control back (not inside MULTI/EXEC).
  RunStatus Start(int ref, const std::vector<std::string_view>& keys, const std::vector<std::string_view>& args, int caller_resp,
                  bool can_yield, int64_t busy_threshold_ms);
  RunStatus Resume();
  // After kDone.
  RunResult& result() { return result_; }

  // SCRIPT KILL / FUNCTION KILL: the running script stops with an error at its next hook.
  void Kill() { killed_ = true; }
  bool running() const { return running_; }
  // Bytes the interpreter holds (INFO used_memory_lua, FUNCTION STATS).
  size_t memory() const { return used_; }

  // --- for the C functions of the Redis API (redis_api.cc, sandbox.cc) ---
  static Engine* From(lua_State* L);
  Host* host() { return host_; }
  Mode mode() const { return mode_; }
  int script_resp() const { return script_resp_; }
  void set_script_resp(int resp) { script_resp_ = resp; }
  bool killed() const { return killed_; }
  // The busy hook yielded (set by the hook and by the pcall wrappers that pass the yield on).
  bool hook_yielded = false;
  // Set while FUNCTION LOAD runs the library body.
  std::vector<Registered>* registering = nullptr;
  // SHA1 of the current run's script/function name, for error messages.
  std::string current_name;
  // redis.call's arguments (views of the Lua strings on the stack), kept between calls.
  std::vector<std::string_view> call_argv;

 private:
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void Hook(lua_State* L, lua_Debug* ar);
  void Open();
  RunStatus Settle(int status);
  void FinishError();
  void EndRun();

  Host* host_;
  Mode mode_;
  size_t limit_;
  size_t used_ = 0;
  lua_State* L_ = nullptr;
  lua_State* co_ = nullptr;  // the coroutine of the current run
  int co_ref_ = LUA_NOREF;   // keeps it from being collected
  bool running_ = false;
  bool killed_ = false;
  bool can_yield_ = false;
  bool timed_out_ = false;
  int caller_resp_ = 2;
  int script_resp_ = 2;
  int64_t busy_threshold_ms_ = 0;
  int64_t load_timeout_ms_ = 0;
  std::chrono::steady_clock::time_point started_;
  RunResult result_;
};

// How many VM instructions run between two looks at the clock (Redis uses the same count).
constexpr int kHookInstructions = 100000;

}  // namespace nevio::lua
