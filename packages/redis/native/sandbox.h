// The interpreter's environment as Redis 7.0 has it: the allowed libraries, the `redis` table,
// globals that cannot be written or read when undeclared, read-only library tables, and no
// binary chunks. Stock Lua 5.1 has no read-only tables (Redis patches its VM for them), so
// read-only tables here are empty proxies whose metatable forwards reads and refuses writes;
// setmetatable, rawset and getfenv are wrapped so they cannot reach behind a proxy.
#pragma once

#include <lua.hpp>

#include <string_view>

#include "engine.h"

namespace nevio::lua {

// Builds the environment (call under Protect, on the main thread, once).
int InstallSandbox(lua_State* L, Mode mode);

// FUNCTION LOAD: while `on`, global reads see the library API (redis.register_function,
// redis.log, the version) instead of the runtime globals.
void UseLibraryApi(lua_State* L, bool on);

// Sets KEYS and ARGV (the two values on top of the stack, popped) as globals for EVAL.
void SetEvalGlobals(lua_State* L);

// Compiles text only: binary chunks (bytecode can break out of any sandbox) fail the way the
// text parser fails on them, as in Redis, whose Lua loads no bytecode.
int LoadText(lua_State* L, std::string_view code, const char* chunkname);

// Raises "Attempt to modify a readonly table" at the script's position.
int ReadonlyError(lua_State* L);

}  // namespace nevio::lua
