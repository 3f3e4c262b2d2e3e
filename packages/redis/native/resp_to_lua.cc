#include "resp_to_lua.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "redis_api.h"

namespace nevio::lua {

namespace {

// Replies are made by the server itself, but are still parsed defensively: a malformed one
// ends the parse (0) instead of reading past the end.
class Parser {
 public:
  Parser(lua_State* L, std::string_view resp) : L_(L), p_(resp.data()), end_(resp.data() + resp.size()), begin_(resp.data()) {}

  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  // Pushes one value (or nothing when `push` is false: skipped attributes).
  bool Value(bool push) {
    if (p_ >= end_) return false;
    char type = *p_++;
    std::string_view line;
    if (!Line(&line)) return false;
    if (push && !lua_checkstack(L_, 4)) luaL_error(L_, "reached lua stack limit");
    switch (type) {
      case '+':
        if (push) {
          lua_newtable(L_);
          lua_pushlstring(L_, line.data(), line.size());
          lua_setfield(L_, -2, "ok");
        }
        return true;
      case '-':
        if (push) {
          std::string message = "-";
          message.append(line);
          PushErrorTable(L_, message);
          lua_pushboolean(L_, 1);
          lua_setfield(L_, -2, "ignore_error_stats_update");
        }
        return true;
      case ':': {
        long long v = 0;
        if (!Integer(line, &v)) return false;
        if (push) lua_pushnumber(L_, static_cast<lua_Number>(v));
        return true;
      }
      case '$':
      case '=':
        return Bulk(line, type == '=', push);
      case '*':
      case '>':
        return Aggregate(line, push, Kind::kArray);
      case '%':
        return Aggregate(line, push, Kind::kMap);
      case '~':
        return Aggregate(line, push, Kind::kSet);
      case '|':
        // Attributes are not shown to scripts: skip them, the reply follows.
        return Aggregate(line, false, Kind::kMap) && Value(push);
      case '_':
        if (push) lua_pushnil(L_);
        return true;
      case '#':
        if (push) lua_pushboolean(L_, line == "t");
        return true;
      case ',': {
        std::string text(line);
        if (push) {
          lua_newtable(L_);
          lua_pushnumber(L_, std::strtod(text.c_str(), nullptr));
          lua_setfield(L_, -2, "double");
        }
        return true;
      }
      case '(':
        if (push) {
          lua_newtable(L_);
          lua_pushlstring(L_, line.data(), line.size());
          lua_setfield(L_, -2, "big_number");
        }
        return true;
      default:
        return false;
    }
  }

 private:
  enum class Kind { kArray, kMap, kSet };

  bool Line(std::string_view* line) {
    const char* cr = static_cast<const char*>(std::memchr(p_, '\r', static_cast<size_t>(end_ - p_)));
    if (cr == nullptr || cr + 1 >= end_ || cr[1] != '\n') return false;
    *line = std::string_view(p_, static_cast<size_t>(cr - p_));
    p_ = cr + 2;
    return true;
  }

  static bool Integer(std::string_view text, long long* out) {
    if (text.empty() || text.size() > 20) return false;
    char buf[24];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    char* end = nullptr;
    *out = std::strtoll(buf, &end, 10);
    return end == buf + text.size();
  }

  bool Bulk(std::string_view line, bool verbatim, bool push) {
    long long len = 0;
    if (!Integer(line, &len)) return false;
    if (len < 0) {
      if (push) lua_pushboolean(L_, 0);
      return true;
    }
    if (static_cast<unsigned long long>(len) + 2 > static_cast<unsigned long long>(end_ - p_)) return false;
    const char* data = p_;
    p_ += len + 2;
    if (!push) return true;
    size_t n = static_cast<size_t>(len);
    if (verbatim && n >= 4) {
      lua_newtable(L_);
      lua_newtable(L_);
      lua_pushlstring(L_, data, 3);
      lua_setfield(L_, -2, "format");
      lua_pushlstring(L_, data + 4, n - 4);
      lua_setfield(L_, -2, "string");
      lua_setfield(L_, -2, "verbatim_string");
    } else {
      lua_pushlstring(L_, data, n);
    }
    return true;
  }

  bool Aggregate(std::string_view line, bool push, Kind kind) {
    long long count = 0;
    if (!Integer(line, &count)) return false;
    if (count < 0) {
      if (push) lua_pushboolean(L_, 0);
      return true;
    }
    if (push) {
      lua_newtable(L_);
      if (kind != Kind::kArray) lua_newtable(L_);
    }
    for (long long j = 0; j < count; j++) {
      if (!Value(push)) return false;
      if (kind == Kind::kMap) {
        if (!Value(push)) return false;
        if (push) lua_settable(L_, -3);
      } else if (kind == Kind::kSet) {
        if (push) {
          lua_pushboolean(L_, 1);
          lua_settable(L_, -3);
        }
      } else if (push) {
        lua_rawseti(L_, -2, static_cast<int>(j + 1));
      }
    }
    if (push && kind != Kind::kArray) lua_setfield(L_, -2, kind == Kind::kMap ? "map" : "set");
    return true;
  }

  lua_State* L_;
  const char* p_;
  const char* end_;
  const char* begin_;
};

}  // namespace

size_t PushResp(lua_State* L, std::string_view resp) {
  int top = lua_gettop(L);
  Parser parser(L, resp);
  if (!parser.Value(true)) {
    lua_settop(L, top);
    return 0;
  }
  return parser.consumed();
}

}  // namespace nevio::lua
