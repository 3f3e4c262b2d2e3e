#include "sandbox.h"

#include <cstring>

#include "redis_api.h"

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

namespace nevio::lua {

namespace {

// Registry keys.
constexpr const char* kRealGlobals = "nevio.globals";        // the table behind the proxy
constexpr const char* kGlobalsMeta = "nevio.globals.meta";   // the proxy's metatable
constexpr const char* kLibraryApi = "nevio.library.api";     // globals while FUNCTION LOAD runs
constexpr const char* kReadonly = "nevio.readonly";          // weak set of read-only proxies

// Globals of the Lua builtins that scripts must not have (Redis's deny list, and `debug`, which
// is only needed while the environment is built).
constexpr const char* kRemoved[] = {"print", "dofile", "loadfile", "debug"};

int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name != nullptr ? name : "?");
}

bool IsReadonly(lua_State* L, int index) {
  if (!lua_istable(L, index)) return false;
  lua_pushvalue(L, index);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonly);
  lua_insert(L, -2);
  lua_rawget(L, -2);
  bool ro = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return ro;
}

// setmetatable and rawset refuse read-only tables (without a position: in Redis the error is
// raised inside the C function).
int RefuseReadonly(lua_State* L) {
  if (IsReadonly(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// getfenv never hands out the table behind the globals proxy (a C function's environment).
int SafeGetfenv(lua_State* L) {
  if (lua_isnumber(L, 1) && lua_tonumber(L, 1) > 0) {
    // One more level: this wrapper is a frame of its own.
    lua_pushnumber(L, lua_tonumber(L, 1) + 1);
    lua_replace(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  if (lua_rawequal(L, -1, -2)) {
    lua_pop(L, 2);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    return 1;
  }
  lua_pop(L, 1);
  return 1;
}

// loadstring/load compile text only.
int SafeLoadstring(lua_State* L) {
  size_t len = 0;
  const char* code = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, code);
  if (LoadText(L, std::string_view(code, len), name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

// load(reader): the pieces are joined and compiled as text, like loadstring.
int SafeLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (;;) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1) || (lua_isstring(L, -1) && lua_objlen(L, -1) == 0)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* code = lua_tolstring(L, -1, &len);
  if (LoadText(L, std::string_view(code, len), name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

// Marks the table on top of the stack as read-only in the registry's weak set.
void Remember(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonly);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// Pushes a proxy of the table at `index` whose reads go to it and whose writes fail;
// `meta_view`: getmetatable(proxy) answers a read-only view of the proxy's own metatable (so
// `getmetatable(_G).__index = x` fails as in Redis), otherwise false.
void PushReadonly(lua_State* L, int index, bool meta_view) {
  index = index < 0 ? lua_gettop(L) + index + 1 : index;
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyError);
  lua_setfield(L, -2, "__newindex");
  if (meta_view) PushReadonly(L, -1, false);
  else lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  Remember(L);
}

// Replaces the table on top of the stack with its read-only proxy.
void MakeReadonly(lua_State* L) {
  PushReadonly(L, -1, true);
  lua_replace(L, -2);
}

// realG[name] = readonly(realG[name]) for a library table.
void ProtectGlobal(lua_State* L, int globals, const char* name) {
  lua_getfield(L, globals, name);
  if (lua_istable(L, -1)) {
    MakeReadonly(L);
    lua_setfield(L, globals, name);
  } else {
    lua_pop(L, 1);
  }
}

void OpenLibrary(lua_State* L, int globals, const char* name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
  if (name[0] != '\0' && lua_istable(L, -1)) lua_setfield(L, globals, name);
  else lua_pop(L, 1);
}

// Wraps the builtin `name` in `wrapper` (the builtin is its upvalue).
void Wrap(lua_State* L, int globals, const char* name, lua_CFunction wrapper) {
  lua_getfield(L, globals, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setfield(L, globals, name);
}

// pcall, xpcall and coroutine.resume/wrap written over coroutines, so that the busy hook's yield
// passes through them to the engine (a C pcall would be a C-call boundary no yield crosses).
// Redis's pcall turns an error table {err=...} into its message; a killed script's error is
// re-raised so that pcall cannot catch SCRIPT KILL.
constexpr const char* kWrappers = R"lua(
local create, resume, status, yield, hook_yield, took_hook_yield, killed, orig_wrap = ...
local type, error, select = type, error, select
local function passthrough(...) return ... end
local function body(f)
  return function(...) return passthrough(f(...)) end
end
local function settle(co, handler, ok, ...)
  if not ok then
    local err = ...
    if killed() then error(err, 0) end
    if handler then return false, handler(err) end
    if type(err) == 'table' and type(err.err) == 'string' then return false, err.err end
    return false, err
  end
  if status(co) == 'dead' then return true, ... end
  if took_hook_yield() then
    hook_yield()
    return settle(co, handler, resume(co))
  end
  return settle(co, handler, resume(co, yield(...)))
end
local function pcall(f, ...)
  local co = create(body(f))
  return settle(co, nil, resume(co, ...))
end
local function xpcall(f, handler)
  local co = create(body(f))
  return settle(co, handler, resume(co))
end
local function settle_resume(co, ok, ...)
  if not ok then
    if killed() then error((...), 0) end
    return false, ...
  end
  if status(co) ~= 'dead' and took_hook_yield() then
    hook_yield()
    return settle_resume(co, resume(co))
  end
  return true, ...
end
local function coresume(co, ...)
  return settle_resume(co, resume(co, ...))
end
local function unwrap(ok, ...)
  if not ok then error((...), 0) end
  return ...
end
local function wrap(f)
  local co = create(f)
  return function(...) return unwrap(settle_resume(co, resume(co, ...))) end
end
return pcall, xpcall, coresume, wrap
)lua";

int HookYield(lua_State* L) {
  Engine::From(L)->hook_yielded = true;
  return lua_yield(L, 0);
}

int TookHookYield(lua_State* L) {
  Engine* e = Engine::From(L);
  lua_pushboolean(L, e->hook_yielded);
  e->hook_yielded = false;
  return 1;
}

int Killed(lua_State* L) {
  lua_pushboolean(L, Engine::From(L)->killed());
  return 1;
}

void InstallWrappers(lua_State* L, int globals) {
  if (luaL_loadbuffer(L, kWrappers, std::strlen(kWrappers), "=pcall") != 0) lua_error(L);
  lua_getfield(L, globals, "coroutine");
  int co = lua_gettop(L);
  lua_getfield(L, co, "create");
  lua_getfield(L, co, "resume");
  lua_getfield(L, co, "status");
  lua_getfield(L, co, "yield");
  lua_remove(L, co);
  lua_pushcfunction(L, HookYield);
  lua_pushcfunction(L, TookHookYield);
  lua_pushcfunction(L, Killed);
  lua_call(L, 7, 4);
  lua_getfield(L, globals, "coroutine");
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "wrap");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "resume");
  lua_pop(L, 3);
  lua_setfield(L, globals, "xpcall");
  lua_setfield(L, globals, "pcall");
}

// The library API of FUNCTION LOAD: only `redis` (register_function, log, version), and
// undeclared names raise the usual error.
void BuildLibraryApi(lua_State* L) {
  lua_newtable(L);  // globals of the library body
  lua_newtable(L);  // its redis table
  RegisterLibraryApi(L, lua_gettop(L));
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  MakeReadonly(L);
  lua_setfield(L, -2, "redis");
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kLibraryApi);
}

}  // namespace

int ReadonlyError(lua_State* L) {
  // Level 1: the Lua code whose assignment ran this metamethod.
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
  return lua_error(L);
}

int LoadText(lua_State* L, std::string_view code, const char* chunkname) {
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    // What Lua's text parser says about the ESC byte a binary chunk starts with.
    char name[LUA_IDSIZE];
    const char* shown = chunkname[0] == '@' || chunkname[0] == '=' ? chunkname + 1 : chunkname;
    std::snprintf(name, sizeof name, "%s", shown);
    lua_pushfstring(L, "%s:1: unexpected symbol near '<\\27>'", name);
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbuffer(L, code.data(), code.size(), chunkname);
}

int InstallSandbox(lua_State* L, Mode mode) {
  lua_newtable(L);
  lua_newtable(L);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kReadonly);

  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int globals = lua_gettop(L);
  OpenLibrary(L, globals, "", luaopen_base);
  OpenLibrary(L, globals, LUA_TABLIBNAME, luaopen_table);
  OpenLibrary(L, globals, LUA_STRLIBNAME, luaopen_string);
  OpenLibrary(L, globals, LUA_MATHLIBNAME, luaopen_math);
  OpenLibrary(L, globals, "cjson", luaopen_cjson);
  OpenLibrary(L, globals, "bit", luaopen_bit);
  OpenLibrary(L, globals, "cmsgpack", luaopen_cmsgpack);
  OpenLibrary(L, globals, "struct", luaopen_struct);

  lua_newtable(L);
  RegisterRedisApi(L, lua_gettop(L));
  lua_setfield(L, globals, "redis");
  ReplaceMathRandom(L, globals);
  InstallWrappers(L, globals);
  Wrap(L, globals, "setmetatable", RefuseReadonly);
  Wrap(L, globals, "rawset", RefuseReadonly);
  Wrap(L, globals, "getfenv", SafeGetfenv);
  // newproxy makes userdata with a metatable, hence __gc functions: Lua code run by the collector
  // at any later point (even while the interpreter closes), which no script must be able to do.
  lua_pushnil(L);
  lua_setfield(L, globals, "newproxy");
  lua_pushcfunction(L, SafeLoadstring);
  lua_setfield(L, globals, "loadstring");
  lua_pushcfunction(L, SafeLoad);
  lua_setfield(L, globals, "load");
  for (const char* name : kRemoved) {
    lua_pushnil(L);
    lua_setfield(L, globals, name);
  }
  if (mode == Mode::kFunctions) BuildLibraryApi(L);

  for (const char* name : {"string", "math", "table", "cjson", "bit", "cmsgpack", "struct", "redis", "coroutine"}) ProtectGlobal(L, globals, name);
  // The string metatable (("x"):upper()) must not be reachable for writing either.
  lua_pushstring(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  // Undeclared names raise; the proxy becomes the thread's globals, so every chunk compiled
  // from now on (and every coroutine) sees it.
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, globals);
  PushReadonly(L, globals, true);
  lua_getmetatable(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kGlobalsMeta);
  lua_pushvalue(L, -1);
  lua_setfield(L, globals, "_G");
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  return 0;
}

void UseLibraryApi(lua_State* L, bool on) {
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsMeta);
  lua_getfield(L, LUA_REGISTRYINDEX, on ? kLibraryApi : kRealGlobals);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

void SetEvalGlobals(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_insert(L, -3);
  lua_setfield(L, -3, "ARGV");
  lua_setfield(L, -2, "KEYS");
  lua_pop(L, 1);
}

}  // namespace nevio::lua
