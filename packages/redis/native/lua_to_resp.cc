#include "lua_to_resp.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace nevio::lua {

namespace {

class Writer {
 public:
  Writer(lua_State* L, int caller_resp, int script_resp, RunResult* out) : L_(L), resp3_(caller_resp == 3), script_resp_(script_resp), out_(out) {}

  void Value() {
    // A map needs four slots (table, key, copy of the key, value).
    if (!lua_checkstack(L_, 4)) {
      Error("ERR reached lua stack limit", true);
      lua_pop(L_, 1);
      return;
    }
    switch (lua_type(L_, -1)) {
      case LUA_TSTRING: {
        size_t len = 0;
        const char* s = lua_tolstring(L_, -1, &len);
        Bulk(std::string_view(s, len));
        break;
      }
      case LUA_TBOOLEAN: {
        bool b = lua_toboolean(L_, -1) != 0;
        if (script_resp_ == 2) {
          if (b) out_->reply += ":1\r\n";
          else Null();
        } else if (resp3_) {
          out_->reply += b ? "#t\r\n" : "#f\r\n";
        } else {
          out_->reply += b ? ":1\r\n" : ":0\r\n";
        }
        break;
      }
      case LUA_TNUMBER:
        Integer(lua_tonumber(L_, -1));
        break;
      case LUA_TTABLE:
        Table();
        break;
      default:
        Null();
    }
    lua_pop(L_, 1);
  }

 private:
  void Null() { out_->reply += resp3_ ? "_\r\n" : "$-1\r\n"; }

  void Header(char type, size_t n) {
    out_->reply += type;
    out_->reply += std::to_string(n);
    out_->reply += "\r\n";
  }

  void Bulk(std::string_view s) {
    Header('$', s.size());
    out_->reply.append(s);
    out_->reply += "\r\n";
  }

  // Lua numbers are doubles; the reply is the integer part. A value outside int64 (or NaN) is
  // what the x86 conversion gives, INT64_MIN, without the undefined behaviour of the C cast.
  void Integer(double d) {
    long long v = d >= -9223372036854775808.0 && d < 9223372036854775808.0 ? static_cast<long long>(d) : INT64_MIN;
    out_->reply += ':';
    out_->reply += std::to_string(v);
    out_->reply += "\r\n";
  }

  // Status and error texts cannot carry CR or LF: Redis replaces them with spaces.
  static std::string OneLine(std::string_view s) {
    std::string line(s);
    for (char& c : line) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return line;
  }

  void Error(std::string_view message, bool counted) {
    std::string line = OneLine(message);
    out_->reply += '-';
    out_->reply += line;
    out_->reply += "\r\n";
    out_->error = true;
    if (counted) out_->counted.push_back(std::move(line));
  }

  // Pushes t[field] (raw) and returns its type.
  int Field(const char* field) {
    lua_pushstring(L_, field);
    lua_rawget(L_, -2);
    return lua_type(L_, -1);
  }

  void Table() {
    if (Field("err") == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L_, -1, &len);
      std::string message(s, len);
      lua_pop(L_, 1);
      bool counted = Field("ignore_error_stats_update") != LUA_TBOOLEAN || lua_toboolean(L_, -1) == 0;
      lua_pop(L_, 1);
      Error(message, counted);
      return;
    }
    lua_pop(L_, 1);
    if (Field("ok") == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L_, -1, &len);
      out_->reply += '+';
      out_->reply += OneLine(std::string_view(s, len));
      out_->reply += "\r\n";
      lua_pop(L_, 1);
      return;
    }
    lua_pop(L_, 1);
    if (Field("double") == LUA_TNUMBER) {
      char digits[64];
      int n = FormatDouble(lua_tonumber(L_, -1), digits, sizeof digits);
      if (resp3_) {
        out_->reply += ',';
        out_->reply.append(digits, static_cast<size_t>(n));
        out_->reply += "\r\n";
      } else {
        Bulk(std::string_view(digits, static_cast<size_t>(n)));
      }
      lua_pop(L_, 1);
      return;
    }
    lua_pop(L_, 1);
    if (Field("big_number") == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L_, -1, &len);
      std::string digits = OneLine(std::string_view(s, len));
      if (resp3_) {
        out_->reply += '(';
        out_->reply += digits;
        out_->reply += "\r\n";
      } else {
        Bulk(digits);
      }
      lua_pop(L_, 1);
      return;
    }
    lua_pop(L_, 1);
    if (Field("verbatim_string") == LUA_TTABLE) {
      lua_pushstring(L_, "format");
      lua_rawget(L_, -2);
      lua_pushstring(L_, "string");
      lua_rawget(L_, -3);
      // Stack: table, verbatim_string, format, string.
      if (lua_type(L_, -2) == LUA_TSTRING && lua_type(L_, -1) == LUA_TSTRING) {
        size_t flen = 0, slen = 0;
        const char* s = lua_tolstring(L_, -1, &slen);
        const char* f = lua_tolstring(L_, -2, &flen);
        if (resp3_) {
          Header('=', slen + 4);
          out_->reply.append(f, flen < 3 ? flen : 3);
          out_->reply += ':';
          out_->reply.append(s, slen);
          out_->reply += "\r\n";
        } else {
          Bulk(std::string_view(s, slen));
        }
        lua_pop(L_, 3);
        return;
      }
      lua_pop(L_, 2);
    }
    lua_pop(L_, 1);
    if (Field("map") == LUA_TTABLE) {
      size_t n = Count();
      if (resp3_) Header('%', n);
      else Header('*', n * 2);
      lua_pushnil(L_);
      while (lua_next(L_, -2) != 0) {
        // Stack: map, key, value, key copy: the key, then the value; the key stays for lua_next.
        lua_pushvalue(L_, -2);
        Value();
        Value();
      }
      lua_pop(L_, 1);
      return;
    }
    lua_pop(L_, 1);
    if (Field("set") == LUA_TTABLE) {
      size_t n = Count();
      Header(resp3_ ? '~' : '*', n);
      lua_pushnil(L_);
      while (lua_next(L_, -2) != 0) {
        lua_pop(L_, 1);
        lua_pushvalue(L_, -1);
        Value();
      }
      lua_pop(L_, 1);
      return;
    }
    lua_pop(L_, 1);
    size_t n = 0;
    for (;;) {
      lua_rawgeti(L_, -1, static_cast<int>(n + 1));
      bool end = lua_isnil(L_, -1);
      lua_pop(L_, 1);
      if (end) break;
      n++;
    }
    Header('*', n);
    for (size_t j = 1; j <= n; j++) {
      lua_rawgeti(L_, -1, static_cast<int>(j));
      Value();
    }
  }

  // The number of pairs of the table on top of the stack.
  size_t Count() {
    size_t n = 0;
    lua_pushnil(L_);
    while (lua_next(L_, -2) != 0) {
      lua_pop(L_, 1);
      n++;
    }
    return n;
  }

  lua_State* L_;
  bool resp3_;
  int script_resp_;
  RunResult* out_;
};

}  // namespace

int FormatDouble(double d, char* out, size_t size) {
  if (std::isinf(d)) return std::snprintf(out, size, "%s", d > 0 ? "inf" : "-inf");
  if (std::isnan(d)) return std::snprintf(out, size, "nan");
  return std::snprintf(out, size, "%.17g", d);
}

void WriteReply(lua_State* L, int caller_resp, int script_resp, RunResult* out) {
  Writer writer(L, caller_resp, script_resp, out);
  writer.Value();
}

}  // namespace nevio::lua
