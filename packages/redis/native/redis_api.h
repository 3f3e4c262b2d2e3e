// The `redis` table scripts see (redis.call, pcall, log, setresp, set_repl, sha1hex,
// error_reply, status_reply, …), the library API of FUNCTION LOAD (redis.register_function),
// and Redis's deterministic math.random.
#pragma once

#include <lua.hpp>

#include <string_view>

#include "engine.h"

namespace nevio::lua {

// Fills the table at `table` with the runtime API (the same for EVAL and FCALL:
// redis.register_function exists only in FUNCTION LOAD's API).
void RegisterRedisApi(lua_State* L, int table);
// Fills the table at `table` with FUNCTION LOAD's API.
void RegisterLibraryApi(lua_State* L, int table);
// math.random/math.randomseed over Redis's rand48 (the same sequence on every platform).
void ReplaceMathRandom(lua_State* L, int globals);

// Pushes Redis's error table {err="CODE message"}: `message` is "-CODE message" (the code is its
// first word) or a plain message (code ERR), as luaPushErrorBuff does.
void PushErrorTable(lua_State* L, std::string_view message);

}  // namespace nevio::lua

extern "C" {
int luaopen_cmsgpack(lua_State* L);
int luaopen_struct(lua_State* L);
}
