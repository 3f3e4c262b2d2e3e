#include "redis_api.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "protect.h"
#include "resp_to_lua.h"
#include "sha1.h"

namespace nevio::lua {

namespace {

// What redis.REDIS_VERSION and REDIS_VERSION_NUM report: the Redis version nevio follows.
constexpr const char* kRedisVersion = "7.0.15";
constexpr int kRedisVersionNum = 0x07000f;
// Log levels (Redis's LL_*) and replication targets (PROPAGATE_*).
constexpr int kLogDebug = 0, kLogVerbose = 1, kLogNotice = 2, kLogWarning = 3;
constexpr int kReplAof = 1, kReplReplica = 2;
// Script flags (shebang and register_function), in the bits the TypeScript side uses too.
struct FlagName {
  const char* name;
  uint32_t bit;
};
constexpr FlagName kFlags[] = {{"no-writes", 1}, {"allow-oom", 2}, {"allow-stale", 4}, {"no-cluster", 8}, {"allow-cross-slot-keys", 16}};

int RaiseError(lua_State* L, std::string_view message) {
  PushErrorTable(L, message);
  return lua_error(L);
}

// The arguments of a redis lib call as strings (numbers formatted as Redis formats them); false
// with the error table on the stack when one is neither.
bool CollectArgs(lua_State* L, int argc, std::vector<std::string_view>& argv) {
  argv.reserve(static_cast<size_t>(argc));
  for (int j = 1; j <= argc; j++) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      // Lua's own number formatting ("%.14g") loses precision: Redis uses "%.17g".
      char digits[64];
      int n = std::snprintf(digits, sizeof digits, "%.17g", static_cast<double>(lua_tonumber(L, j)));
      lua_pushlstring(L, digits, static_cast<size_t>(n));
      lua_replace(L, j);
    } else if (lua_type(L, j) != LUA_TSTRING) {
      lua_settop(L, 0);
      PushErrorTable(L, "Lua redis lib command arguments must be strings or integers");
      return false;
    }
    size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);
    argv.emplace_back(s, len);
  }
  return true;
}

int Call(lua_State* L, bool raise) {
  Engine* e = Engine::From(L);
  int argc = lua_gettop(L);
  if (argc == 0) {
    PushErrorTable(L, "Please specify at least one argument for this redis lib call");
    return raise ? lua_error(L) : 1;
  }
  if (!e->running()) return RaiseError(L, "redis.call/pcall can only be called inside a script invocation");
  // The engine's vector, reused: a redis.call allocates nothing for its arguments.
  std::vector<std::string_view>& argv = e->call_argv;
  argv.clear();
  if (!CollectArgs(L, argc, argv)) return raise ? lua_error(L) : 1;
  std::string_view reply;
  Guarded(L, [&] {
    reply = e->host()->Call(argv);
    return 0;
  });
  // The arguments stayed on the stack while the host read them (argv points at their bytes);
  // the reply is the host's own copy, so they can go now and leave room for it.
  lua_settop(L, 0);
  bool failed = !reply.empty() && reply[0] == '-';
  if (!lua_checkstack(L, 8)) return luaL_error(L, "reached lua stack limit");
  size_t used = PushResp(L, reply);
  if (used == 0) return RaiseError(L, "ERR the reply of the command could not be read");
  if (raise && failed) return lua_error(L);
  return 1;
}

int RedisCall(lua_State* L) { return Call(L, true); }
int RedisPcall(lua_State* L) { return Call(L, false); }

// redis.acl_check_cmd(command, args...): whether the script's caller may run it (Redis 7).
int AclCheckCmd(lua_State* L) {
  Engine* e = Engine::From(L);
  if (!e->running()) return RaiseError(L, "redis.acl_check_cmd can only be called inside a script invocation");
  int argc = lua_gettop(L);
  if (argc == 0) return RaiseError(L, "Please specify at least one argument for this redis lib call");
  std::vector<std::string_view> argv;
  if (!CollectArgs(L, argc, argv)) return lua_error(L);
  int verdict = -1;
  Guarded(L, [&] {
    verdict = e->host()->AclCheck(argv);
    return 0;
  });
  lua_settop(L, 0);
  if (verdict < 0) return RaiseError(L, "Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(L, verdict);
  return 1;
}

int Sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  char digest[41];
  Sha1Hex(s != nullptr ? std::string_view(s, len) : std::string_view(), digest);
  lua_pushstring(L, digest);
  return 1;
}

// redis.error_reply / status_reply: a wrong argument is answered with an error table, not raised.
int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string message(s, len);
  if (message.empty() || message[0] != '-') message.insert(0, "-");
  PushErrorTable(L, message);
  return 1;
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int Log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return RaiseError(L, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < kLogDebug || level > kLogWarning) return RaiseError(L, "Invalid debug level.");
  std::string message;
  for (int j = 2; j <= argc; j++) {
    size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (j != 2) message += ' ';
    message.append(s, len);
  }
  Engine* e = Engine::From(L);
  return Guarded(L, [&] {
    e->host()->Log(level, message);
    return 0;
  });
}

int SetResp(lua_State* L) {
  Engine* e = Engine::From(L);
  if (!e->running()) return RaiseError(L, "redis.setresp can only be called inside a script invocation");
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  e->set_script_resp(resp);
  return Guarded(L, [&] {
    e->host()->SetResp(resp);
    return 0;
  });
}

int SetRepl(lua_State* L) {
  Engine* e = Engine::From(L);
  if (!e->running()) return RaiseError(L, "redis.set_repl can only be called inside a script invocation");
  if (lua_gettop(L) != 1) return RaiseError(L, "redis.set_repl() requires two arguments.");
  int flags = static_cast<int>(lua_tonumber(L, 1));
  if ((flags & ~(kReplAof | kReplReplica)) != 0) {
    return RaiseError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return Guarded(L, [&] {
    e->host()->SetRepl(flags);
    return 0;
  });
}

int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// redis.breakpoint/redis.debug belong to the Lua debugger, which nevio does not have.
int Breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int Debug(lua_State*) { return 0; }

// --- redis.register_function ---

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool ReadFlags(lua_State* L, int table, uint32_t* flags) {
  *flags = 0;
  for (int j = 1;; j++) {
    lua_rawgeti(L, table, j);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      return true;
    }
    const char* name = lua_isstring(L, -1) ? lua_tostring(L, -1) : nullptr;
    bool found = false;
    for (const FlagName& f : kFlags) {
      if (name != nullptr && strcasecmp(f.name, name) == 0) {
        *flags |= f.bit;
        found = true;
      }
    }
    lua_pop(L, 1);
    if (!found) return false;
  }
}

int RegisterFunction(lua_State* L) {
  Engine* e = Engine::From(L);
  if (e->registering == nullptr) return RaiseError(L, "redis.register_function can only be called on FUNCTION LOAD command");
  int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return RaiseError(L, "wrong number of arguments to redis.register_function");
  Engine::Registered fn;
  int callback = 0;
  bool has_name = false;
  if (argc == 2) {
    if (!lua_isstring(L, 1)) return RaiseError(L, "first argument to redis.register_function must be a string");
    if (!lua_isfunction(L, 2)) return RaiseError(L, "second argument to redis.register_function must be a function");
    size_t len = 0;
    const char* name = lua_tolstring(L, 1, &len);
    fn.name.assign(name, len);
    callback = 2;
  } else {
    if (!lua_istable(L, 1)) {
      return RaiseError(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
    }
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      if (!lua_isstring(L, -2)) return RaiseError(L, "named argument key given to redis.register_function is not a string");
      const char* key = lua_tostring(L, -2);
      if (strcasecmp(key, "function_name") == 0) {
        if (!lua_isstring(L, -1)) return RaiseError(L, "function_name argument given to redis.register_function must be a string");
        size_t len = 0;
        const char* name = lua_tolstring(L, -1, &len);
        fn.name.assign(name, len);
        has_name = true;
      } else if (strcasecmp(key, "description") == 0) {
        if (!lua_isstring(L, -1)) return RaiseError(L, "description argument given to redis.register_function must be a string");
        fn.description = lua_tostring(L, -1);
        fn.has_description = true;
      } else if (strcasecmp(key, "callback") == 0) {
        if (!lua_isfunction(L, -1)) return RaiseError(L, "callback argument given to redis.register_function must be a function");
        // Kept below the iteration's key (stack: table, callback, key, value).
        lua_pushvalue(L, -1);
        lua_insert(L, 2);
        callback = 2;
      } else if (strcasecmp(key, "flags") == 0) {
        if (!lua_istable(L, -1)) return RaiseError(L, "flags argument to redis.register_function must be a table representing function flags");
        if (!ReadFlags(L, lua_gettop(L), &fn.flags)) return RaiseError(L, "unknown flag given");
      } else {
        return RaiseError(L, "unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!has_name) return RaiseError(L, "redis.register_function must get a function name argument");
    if (callback == 0) return RaiseError(L, "redis.register_function must get a callback argument");
  }
  if (!ValidName(fn.name)) {
    // Redis's text for a bad function name speaks of libraries too.
    return RaiseError(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
  }
  for (const Engine::Registered& other : *e->registering) {
    if (other.name == fn.name) return RaiseError(L, "Function already exists in the library");
  }
  lua_pushvalue(L, callback);
  fn.ref = luaL_ref(L, LUA_REGISTRYINDEX);
  e->registering->push_back(std::move(fn));
  return 0;
}

void SetNumber(lua_State* L, int table, const char* name, double value) {
  lua_pushnumber(L, value);
  lua_setfield(L, table, name);
}

void SetFunction(lua_State* L, int table, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, table, name);
}

void RegisterLogAndVersion(lua_State* L, int table) {
  SetFunction(L, table, "log", Log);
  SetNumber(L, table, "LOG_DEBUG", kLogDebug);
  SetNumber(L, table, "LOG_VERBOSE", kLogVerbose);
  SetNumber(L, table, "LOG_NOTICE", kLogNotice);
  SetNumber(L, table, "LOG_WARNING", kLogWarning);
  SetNumber(L, table, "REDIS_VERSION_NUM", kRedisVersionNum);
  lua_pushstring(L, kRedisVersion);
  lua_setfield(L, table, "REDIS_VERSION");
}

// rand48 (the generator of POSIX drand48, which Redis reimplements in rand.c so that scripts see
// one sequence everywhere): x' = (0x5DEECE66D x + 0xB) mod 2^48, lrand48 = x' >> 17.
constexpr uint64_t kRandMultiplier = 0x5DEECE66DULL;
constexpr uint64_t kRandIncrement = 0xB;
constexpr uint64_t kRandMask = (1ULL << 48) - 1;
constexpr int32_t kRand48Max = 2147483647;  // REDIS_LRAND48_MAX (INT32_MAX)
uint64_t rand_state = [] {
  std::random_device device;
  return ((static_cast<uint64_t>(device()) << 16) ^ device()) & kRandMask;
}();

int32_t Lrand48() {
  rand_state = (kRandMultiplier * rand_state + kRandIncrement) & kRandMask;
  return static_cast<int32_t>(rand_state >> 17);
}

int MathRandom(lua_State* L) {
  double r = static_cast<double>(Lrand48() % kRand48Max) / static_cast<double>(kRand48Max);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomseed(lua_State* L) {
  uint32_t seed = static_cast<uint32_t>(luaL_checkint(L, 1));
  rand_state = ((static_cast<uint64_t>(seed) << 16) | 0x330E) & kRandMask;
  return 0;
}

}  // namespace

void PushErrorTable(lua_State* L, std::string_view message) {
  std::string code = "ERR";
  std::string_view text = message;
  if (!message.empty() && message[0] == '-') {
    size_t space = message.find(' ');
    if (space == std::string_view::npos) {
      text = message.substr(1);
    } else {
      code.assign(message.substr(1, space - 1));
      text = message.substr(space + 1);
    }
  }
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  while (!text.empty() && (text.front() == '\r' || text.front() == '\n')) text.remove_prefix(1);
  std::string final_message = code;
  final_message += ' ';
  final_message.append(text);
  lua_newtable(L);
  lua_pushlstring(L, final_message.data(), final_message.size());
  lua_setfield(L, -2, "err");
}

void RegisterRedisApi(lua_State* L, int table) {
  SetFunction(L, table, "call", RedisCall);
  SetFunction(L, table, "pcall", RedisPcall);
  RegisterLogAndVersion(L, table);
  SetFunction(L, table, "setresp", SetResp);
  SetFunction(L, table, "sha1hex", Sha1hex);
  SetFunction(L, table, "error_reply", ErrorReply);
  SetFunction(L, table, "status_reply", StatusReply);
  SetFunction(L, table, "set_repl", SetRepl);
  SetFunction(L, table, "acl_check_cmd", AclCheckCmd);
  SetNumber(L, table, "REPL_NONE", 0);
  SetNumber(L, table, "REPL_AOF", kReplAof);
  SetNumber(L, table, "REPL_SLAVE", kReplReplica);
  SetNumber(L, table, "REPL_REPLICA", kReplReplica);
  SetNumber(L, table, "REPL_ALL", kReplAof | kReplReplica);
  SetFunction(L, table, "replicate_commands", ReplicateCommands);
  SetFunction(L, table, "breakpoint", Breakpoint);
  SetFunction(L, table, "debug", Debug);
}

void RegisterLibraryApi(lua_State* L, int table) {
  SetFunction(L, table, "register_function", RegisterFunction);
  RegisterLogAndVersion(L, table);
}

void ReplaceMathRandom(lua_State* L, int globals) {
  lua_getfield(L, globals, "math");
  int math = lua_gettop(L);
  SetFunction(L, math, "random", MathRandom);
  SetFunction(L, math, "randomseed", MathRandomseed);
  lua_pop(L, 1);
}

}  // namespace nevio::lua
