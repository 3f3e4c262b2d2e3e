#include "engine.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "lua_to_resp.h"
#include "protect.h"
#include "redis_api.h"
#include "sandbox.h"

namespace nevio::lua {

namespace {

void PushArray(lua_State* L, const std::vector<std::string_view>& items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  int j = 1;
  for (std::string_view s : items) {
    lua_pushlstring(L, s.data(), s.size());
    lua_rawseti(L, -2, j++);
  }
}

// Whether the busy hook may yield from `L` now: lua_yield fails across a C call or a VM
// re-entry (metamethods, generic-for iterators), which the debug API shows as a C frame or as a
// Lua frame not called by a call instruction (no name). Frames are walked down to the
// coroutine's first; a frame whose caller is unknown (after a tail call) counts as a re-entry.
// Saying no only delays the yield to a later hook.
bool CanYield(lua_State* L) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar) != 0; level++) {
    if (lua_getinfo(L, "Sn", &ar) == 0) return false;
    if (ar.what[0] == 'C') return false;
    if (ar.what[0] == 't') return false;  // a lost tail call: its caller is unknown
    // The coroutine's first frame (possibly followed by lost tail calls only) is resumed, not called.
    bool bottom = true;
    lua_Debug below;
    for (int next = level + 1; lua_getstack(L, next, &below) != 0; next++) {
      if (lua_getinfo(L, "S", &below) == 0 || below.what[0] != 't') {
        bottom = false;
        break;
      }
    }
    if (bottom) return true;
    if (ar.namewhat == nullptr || ar.namewhat[0] == '\0') return false;
  }
  return false;
}

std::string Describe(lua_State* L, int index) {
  switch (lua_type(L, index)) {
    case LUA_TSTRING:
    case LUA_TNUMBER: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      return std::string(s, len);
    }
    case LUA_TNIL:
      return "nil";
    case LUA_TBOOLEAN:
      return lua_toboolean(L, index) ? "true" : "false";
    default: {
      char text[64];
      std::snprintf(text, sizeof text, "%s: %p", lua_typename(L, lua_type(L, index)), lua_topointer(L, index));
      return text;
    }
  }
}

}  // namespace

Engine::Engine(Host* host, Mode mode, size_t memory_limit) : host_(host), mode_(mode), limit_(memory_limit) { Open(); }

Engine::~Engine() {
  if (L_ != nullptr) lua_close(L_);
}

Engine* Engine::From(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<Engine*>(ud);
}

// The allocator counts what the interpreter holds and refuses to pass the limit: Lua then
// raises "not enough memory" in the script, which the script's caller gets as an error.
void* Engine::Allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  Engine* e = static_cast<Engine*>(ud);
  if (ptr == nullptr) old_size = 0;
  if (new_size == 0) {
    std::free(ptr);
    e->used_ -= old_size;
    return nullptr;
  }
  if (new_size > old_size && e->used_ - old_size + new_size > e->limit_) return nullptr;
  void* p = std::realloc(ptr, new_size);
  if (p == nullptr) return nullptr;
  e->used_ = e->used_ - old_size + new_size;
  return p;
}

void Engine::Open() {
  L_ = lua_newstate(Allocate, this);
  if (L_ == nullptr) throw std::bad_alloc();
  Mode mode = mode_;
  auto install = [mode](lua_State* L) {
    InstallProtect(L);
    return InstallSandbox(L, mode);
  };
  std::string error;
  if (Protect(L_, install, &error) != 0) {
    lua_close(L_);
    L_ = nullptr;
    throw std::runtime_error("cannot set up the Lua interpreter: " + error);
  }
}

int Engine::Compile(std::string_view body, const char* chunkname, std::string* error) {
  int ref = LUA_NOREF;
  std::string compile_error;
  auto compile = [&](lua_State* L) {
    if (LoadText(L, body, chunkname) != 0) {
      compile_error = lua_tostring(L, -1);
      lua_pop(L, 1);
      return 0;
    }
    ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
  };
  if (Protect(L_, compile, error) != 0) return LUA_NOREF;
  if (ref == LUA_NOREF) *error = compile_error;
  return ref;
}

void Engine::Release(int ref) {
  // luaL_unref does not allocate: it cannot raise.
  luaL_unref(L_, LUA_REGISTRYINDEX, ref);
}

bool Engine::LoadLibrary(int ref, int64_t timeout_ms, std::vector<Registered>* registered, std::string* error) {
  registering = registered;
  load_timeout_ms_ = timeout_ms;
  started_ = std::chrono::steady_clock::now();
  std::string message;
  bool ok = false;
  auto load = [&](lua_State* L) {
    UseLibraryApi(L, true);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_sethook(L, Hook, LUA_MASKCOUNT, kHookInstructions);
    int status = lua_pcall(L, 0, 0, 0);
    lua_sethook(L, nullptr, 0, 0);
    UseLibraryApi(L, false);
    if (status == 0) {
      ok = true;
      return 0;
    }
    // A table error carries its message in `err`; a string error gets the ERR code.
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      message = lua_isstring(L, -1) ? lua_tostring(L, -1) : "ERR unknown error";
      lua_pop(L, 1);
    } else {
      message = "ERR " + Describe(L, -1);
    }
    lua_pop(L, 1);
    return 0;
  };
  std::string failure;
  int status = Protect(L_, load, &failure);
  registering = nullptr;
  load_timeout_ms_ = 0;
  if (status != 0) {
    *error = "ERR " + failure;
    ok = false;
  } else if (!ok) {
    *error = message;
  }
  if (!ok) {
    for (const Registered& r : *registered) Release(r.ref);
    registered->clear();
  }
  return ok;
}

RunStatus Engine::Start(int ref, const std::vector<std::string_view>& keys, const std::vector<std::string_view>& args, int caller_resp,
                        bool can_yield, int64_t busy_threshold_ms) {
  // Cleared, not replaced: the reply's string keeps its capacity from run to run.
  result_.reply.clear();
  result_.error = false;
  result_.counted.clear();
  killed_ = false;
  timed_out_ = false;
  hook_yielded = false;
  can_yield_ = can_yield;
  caller_resp_ = caller_resp;
  script_resp_ = 2;
  busy_threshold_ms_ = busy_threshold_ms;
  started_ = std::chrono::steady_clock::now();
  int nargs = mode_ == Mode::kEval ? 0 : 2;
  auto prepare = [&](lua_State* L) {
    if (co_ == nullptr) {
      co_ = lua_newthread(L);
      co_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    PushArray(L, keys);
    PushArray(L, args);
    if (mode_ == Mode::kEval) SetEvalGlobals(L);
    if (!lua_checkstack(co_, nargs + 1)) return luaL_error(L, "not enough memory");
    lua_xmove(L, co_, nargs + 1);
    return 0;
  };
  std::string error;
  if (Protect(L_, prepare, &error) != 0) {
    result_.reply = "-ERR " + error + "\r\n";
    result_.error = true;
    result_.counted.push_back("ERR " + error);
    return RunStatus::kDone;
  }
  lua_sethook(co_, busy_threshold_ms > 0 ? Hook : nullptr, busy_threshold_ms > 0 ? LUA_MASKCOUNT : 0, kHookInstructions);
  running_ = true;
  return Settle(lua_resume(co_, nargs));
}

RunStatus Engine::Resume() { return Settle(lua_resume(co_, 0)); }

RunStatus Engine::Settle(int status) {
  if (status == LUA_YIELD && hook_yielded) {
    hook_yielded = false;
    return RunStatus::kYielded;
  }
  if (status == LUA_YIELD) {
    // coroutine.yield() outside any coroutine of the script's own.
    lua_settop(co_, 0);
    lua_pushstring(co_, "attempt to yield from outside a coroutine");
    status = LUA_ERRRUN;
  }
  if (status == 0) {
    int results = lua_gettop(co_);
    auto convert = [&](lua_State* L) {
      if (results > 0) {
        lua_settop(co_, 1);
        lua_xmove(co_, L, 1);
      } else {
        lua_pushnil(L);
      }
      WriteReply(L, caller_resp_, script_resp_, &result_);
      return 0;
    };
    std::string error;
    if (Protect(L_, convert, &error) != 0) {
      result_ = RunResult();
      result_.reply = "-ERR " + error + "\r\n";
      result_.error = true;
      result_.counted.push_back("ERR " + error);
    }
    lua_settop(co_, 0);
  } else {
    FinishError();
    // A coroutine that failed cannot run again: the next run gets a new one.
    luaL_unref(L_, LUA_REGISTRYINDEX, co_ref_);
    co_ = nullptr;
    co_ref_ = LUA_NOREF;
  }
  EndRun();
  return RunStatus::kDone;
}

// The error reply of a failed run, as Redis's error handler and luaCallFunction build it:
// "<err> script: <name>, on <source>:<line>." where the position is the Lua function that
// raised (or called the C function that raised).
void Engine::FinishError() {
  lua_Debug ar;
  bool where = false;
  for (int level = 0; level < 2 && lua_getstack(co_, level, &ar) != 0; level++) {
    if (lua_getinfo(co_, "Sl", &ar) == 0) break;
    if (ar.what[0] != 'C') {
      where = true;
      break;
    }
  }
  std::string message;
  bool counted = true;
  auto describe = [&](lua_State* L) {
    lua_xmove(co_, L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      message = lua_isstring(L, -1) ? lua_tostring(L, -1) : "ERR unknown error";
      lua_pop(L, 1);
      lua_getfield(L, -1, "ignore_error_stats_update");
      counted = !lua_toboolean(L, -1);
      lua_pop(L, 1);
    } else {
      message = "ERR " + Describe(L, -1);
    }
    lua_pop(L, 1);
    return 0;
  };
  std::string failure;
  if (Protect(L_, describe, &failure) != 0) message = "ERR " + failure;
  if (where) {
    message += " script: " + current_name + ", on " + ar.source + ":" + std::to_string(ar.currentline) + ".";
  }
  for (char& c : message) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  result_.reply = "-" + message + "\r\n";
  result_.error = true;
  if (counted) result_.counted.push_back(message);
}

void Engine::EndRun() {
  // Lua 5.1 does not collect when an allocation fails: after a failed run (maybe one that hit the
  // memory cap) or once the heap is past half the cap, its garbage is collected now, so that the
  // next script does not start at the cap.
  if (result_.error || used_ > limit_ / 2) lua_gc(L_, LUA_GCCOLLECT, 0);
  running_ = false;
  killed_ = false;
  hook_yielded = false;
}

void Engine::Hook(lua_State* L, lua_Debug*) {
  Engine* e = From(L);
  if (e->killed_) {
    // On every line from now on, so that a pcall around the loop cannot swallow it for long.
    lua_sethook(L, Hook, LUA_MASKLINE, 0);
    PushErrorTable(L, "Script killed by user with SCRIPT KILL...");
    lua_error(L);
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - e->started_).count();
  if (e->registering != nullptr) {
    if (e->load_timeout_ms_ > 0 && elapsed > e->load_timeout_ms_) {
      lua_sethook(L, Hook, LUA_MASKLINE, 0);
      PushErrorTable(L, "FUNCTION LOAD timeout");
      lua_error(L);
    }
    return;
  }
  if (e->busy_threshold_ms_ <= 0) return;
  if (!e->timed_out_) {
    if (elapsed < e->busy_threshold_ms_) return;
    e->timed_out_ = true;
    e->host_->TimedOut();
  }
  if (e->can_yield_ && CanYield(L)) {
    e->hook_yielded = true;
    lua_yield(L, 0);
  }
}

}  // namespace nevio::lua
