// Running Lua API calls protected, and keeping C++ exceptions out of Lua.
//
// Outside a protected call a Lua error (even "not enough memory" from a push) would reach Lua's
// panic handler, which exits the process; `Protect` runs such code under lua_cpcall instead.
// Inside a C function called by Lua, a C++ exception of the addon (std::bad_alloc, a JavaScript
// error surfacing through node-addon-api) must become a Lua error: `Guarded` catches it and raises
// it after the catch block, so Lua's own exceptions (not std::exception) pass through untouched.
#pragma once

#include <lua.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace nevio::lua {

// Calls `fn(L)` under lua_cpcall; returns 0, or Lua's error status with the error message in
// `error` (the stack is left as `fn` left it on success, as before the call on failure).
template <typename Fn>
int Protect(lua_State* L, Fn& fn, std::string* error) {
  struct Call {
    Fn* fn;
    char failure[256];
  } call{&fn, {0}};
  lua_CFunction trampoline = [](lua_State* S) -> int {
    Call* c = static_cast<Call*>(lua_touserdata(S, 1));
    lua_pop(S, 1);
    try {
      return (*c->fn)(S);
    } catch (const std::exception& e) {
      std::snprintf(c->failure, sizeof c->failure, "%s", e.what());
    }
    return luaL_error(S, "%s", c->failure);
  };
  int status = lua_cpcall(L, trampoline, &call);
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
