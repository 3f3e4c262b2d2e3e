// Running Lua API calls protected, and keeping C++ exceptions out of Lua.
//
// Outside a protected call a Lua error (even "not enough memory" from a push) would reach Lua's
// panic handler, which exits the process; `Protect` runs such code protected instead.
// Inside a C function called by Lua, a C++ exception of the addon (std::bad_alloc, a JavaScript
// error surfacing through node-addon-api) must become a Lua error: `Guarded` catches it and raises
// it after the catch block, so Lua's own exceptions (not std::exception) pass through untouched.
#pragma once

#include <lua.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace nevio::lua {

// What Protect hands its trampoline: the function to run and room for a C++ exception's text.
struct ProtectedCall {
  int (*invoke)(void* fn, lua_State* L);
  void* fn;
  char failure[256];
};

inline int ProtectTrampoline(lua_State* S) {
  ProtectedCall* c = static_cast<ProtectedCall*>(lua_touserdata(S, 1));
  lua_pop(S, 1);
  try {
    return c->invoke(c->fn, S);
  } catch (const std::exception& e) {
    std::snprintf(c->failure, sizeof c->failure, "%s", e.what());
  }
  return luaL_error(S, "%s", c->failure);
}

// The registry key (its address) of the trampoline's C function, made once by InstallProtect:
// lua_cpcall makes a new C closure each time (a malloc and garbage for the collector, twice per
// script run).
inline char kProtectTrampolineKey;

// Keeps the trampoline in `L`'s registry; may raise (run it protected).
inline void InstallProtect(lua_State* L) {
  lua_pushlightuserdata(L, &kProtectTrampolineKey);
  lua_pushcfunction(L, ProtectTrampoline);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

// Calls `fn(L)` protected (what it leaves on the stack is dropped); returns 0, or Lua's error
// status with the error message in `error`. Until InstallProtect ran, under lua_cpcall.
template <typename Fn>
int Protect(lua_State* L, Fn& fn, std::string* error) {
  ProtectedCall call{[](void* f, lua_State* S) { return (*static_cast<Fn*>(f))(S); }, &fn, {0}};
  // Neither push allocates nor raises: the state keeps LUA_MINSTACK free slots for the C caller.
  lua_pushlightuserdata(L, &kProtectTrampolineKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  int status;
  if (lua_iscfunction(L, -1)) {
    lua_pushlightuserdata(L, &call);
    status = lua_pcall(L, 1, 0, 0);
  } else {
    lua_pop(L, 1);
    status = lua_cpcall(L, ProtectTrampoline, &call);
  }
  if (status != 0) {
    const char* msg = lua_tostring(L, -1);
    if (error != nullptr) *error = msg != nullptr ? msg : "unknown Lua error";
    lua_pop(L, 1);
  }
  return status;
}

// The body of a lua_CFunction with the addon's C++ exceptions turned into Lua errors.
template <typename Body>
int Guarded(lua_State* L, Body&& body) {
  char failure[256];
  try {
    return body();
  } catch (const std::exception& e) {
    std::snprintf(failure, sizeof failure, "%s", e.what());
  }
  return luaL_error(L, "%s", failure);
}

}  // namespace nevio::lua
