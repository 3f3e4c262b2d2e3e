// cmsgpack: MessagePack for scripts, with the API of the library Redis embeds
// (cmsgpack.pack(...), unpack(s), unpack_one(s, offset), unpack_limit(s, limit, offset)).
// Numbers with an integral value in int64 are packed as the smallest integer type, others as
// float32 when that is exact, else float64; tables whose keys are 1..n are arrays, other tables
// maps; tables nested deeper than kMaxNesting are packed as nil (cycles therefore end).
#include <lua.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "redis_api.h"

namespace {

constexpr int kMaxNesting = 16;

class Packer {
 public:
  explicit Packer(lua_State* L) : L_(L) {}
  std::string out;

  void Value(int index, int level) {
    index = index < 0 ? lua_gettop(L_) + index + 1 : index;
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        out += '\xc0';
        break;
      case LUA_TBOOLEAN:
        out += lua_toboolean(L_, index) ? '\xc3' : '\xc2';
        break;
      case LUA_TNUMBER:
        Number(lua_tonumber(L_, index));
        break;
      case LUA_TSTRING: {
        size_t len = 0;
        const char* s = lua_tolstring(L_, index, &len);
        String(s, len);
        break;
      }
      case LUA_TTABLE:
        if (level >= kMaxNesting) out += '\xc0';
        else Table(index, level);
        break;
      default:
        out += '\xc0';
    }
  }

 private:
  void Be(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) out += static_cast<char>((v >> (8 * i)) & 0xff);
  }

  void Typed(uint8_t type, uint64_t v, int bytes) {
    out += static_cast<char>(type);
    Be(v, bytes);
  }

  void Number(double d) {
    if (std::isfinite(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 && static_cast<double>(static_cast<int64_t>(d)) == d) {
      Integer(static_cast<int64_t>(d));
      return;
    }
    float f = static_cast<float>(d);
    if (static_cast<double>(f) == d) {
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      Typed(0xca, bits, 4);
    } else {
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      Typed(0xcb, bits, 8);
    }
  }

  void Integer(int64_t v) {
    if (v >= 0) {
      uint64_t u = static_cast<uint64_t>(v);
      if (u <= 0x7f) out += static_cast<char>(u);
      else if (u <= 0xff) Typed(0xcc, u, 1);
      else if (u <= 0xffff) Typed(0xcd, u, 2);
      else if (u <= 0xffffffffULL) Typed(0xce, u, 4);
      else Typed(0xcf, u, 8);
    } else {
      uint64_t bits = static_cast<uint64_t>(v);
      if (v >= -32) out += static_cast<char>(bits & 0xff);
      else if (v >= -128) Typed(0xd0, bits & 0xff, 1);
      else if (v >= -32768) Typed(0xd1, bits & 0xffff, 2);
      else if (v >= -2147483648LL) Typed(0xd2, bits & 0xffffffffULL, 4);
      else Typed(0xd3, bits, 8);
    }
  }

  void String(const char* s, size_t len) {
    if (len < 32) out += static_cast<char>(0xa0 | len);
    else if (len <= 0xff) Typed(0xd9, len, 1);
    else if (len <= 0xffff) Typed(0xda, len, 2);
    else Typed(0xdb, len, 4);
    out.append(s, len);
  }

  void Header(size_t n, uint8_t fix, uint8_t b16, uint8_t b32) {
    if (n < 16) out += static_cast<char>(fix | n);
    else if (n <= 0xffff) Typed(b16, n, 2);
    else Typed(b32, n, 4);
  }

  // The array length when every key is an integer 1..n (n of them), else -1.
  long long ArrayLength(int index) {
    long long count = 0;
    double max = 0;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      lua_pop(L_, 1);
      if (lua_type(L_, -1) != LUA_TNUMBER) {
        lua_pop(L_, 1);
        return -1;
      }
      double k = lua_tonumber(L_, -1);
      if (k <= 0 || std::floor(k) != k) {
        lua_pop(L_, 1);
        return -1;
      }
      if (k > max) max = k;
      count++;
    }
    return max == static_cast<double>(count) ? count : -1;
  }

  void Table(int index, int level) {
    if (!lua_checkstack(L_, 4)) luaL_error(L_, "cmsgpack: table too deep");
    long long n = ArrayLength(index);
    if (n >= 0) {
      Header(static_cast<size_t>(n), 0x90, 0xdc, 0xdd);
      for (long long j = 1; j <= n; j++) {
        lua_rawgeti(L_, index, static_cast<int>(j));
        Value(-1, level + 1);
        lua_pop(L_, 1);
      }
      return;
    }
    size_t pairs = 0;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      lua_pop(L_, 1);
      pairs++;
    }
    Header(pairs, 0x80, 0xde, 0xdf);
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      Value(-2, level + 1);
      Value(-1, level + 1);
      lua_pop(L_, 1);
    }
  }

  lua_State* L_;
};

class Unpacker {
 public:
  Unpacker(lua_State* L, const char* data, size_t len, size_t offset) : L_(L), p_(data + offset), end_(data + len), begin_(data) {}

  bool done() const { return p_ >= end_; }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Pushes one object.
  void Value() {
    if (!lua_checkstack(L_, 3)) luaL_error(L_, "cmsgpack: input nested too deep");
    uint8_t type = Byte();
    if (type <= 0x7f) return lua_pushnumber(L_, type);
    if (type >= 0xe0) return lua_pushnumber(L_, static_cast<int8_t>(type));
    if ((type & 0xe0) == 0xa0) return Bytes(type & 0x1f);
    if ((type & 0xf0) == 0x90) return Array(type & 0x0f);
    if ((type & 0xf0) == 0x80) return Map(type & 0x0f);
    switch (type) {
      case 0xc0:
        return lua_pushnil(L_);
      case 0xc2:
        return lua_pushboolean(L_, 0);
      case 0xc3:
        return lua_pushboolean(L_, 1);
      case 0xca: {
        uint32_t bits = static_cast<uint32_t>(Be(4));
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return lua_pushnumber(L_, f);
      }
      case 0xcb: {
        uint64_t bits = Be(8);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return lua_pushnumber(L_, d);
      }
      case 0xcc:
        return lua_pushnumber(L_, static_cast<double>(Be(1)));
      case 0xcd:
        return lua_pushnumber(L_, static_cast<double>(Be(2)));
      case 0xce:
        return lua_pushnumber(L_, static_cast<double>(Be(4)));
      case 0xcf:
        return lua_pushnumber(L_, static_cast<double>(Be(8)));
      case 0xd0:
        return lua_pushnumber(L_, static_cast<int8_t>(Be(1)));
      case 0xd1:
        return lua_pushnumber(L_, static_cast<int16_t>(Be(2)));
      case 0xd2:
        return lua_pushnumber(L_, static_cast<int32_t>(Be(4)));
      case 0xd3:
        return lua_pushnumber(L_, static_cast<double>(static_cast<int64_t>(Be(8))));
      case 0xc4:
      case 0xd9:
        return Bytes(Be(1));
      case 0xc5:
      case 0xda:
        return Bytes(Be(2));
      case 0xc6:
      case 0xdb:
        return Bytes(Be(4));
      case 0xdc:
        return Array(Be(2));
      case 0xdd:
        return Array(Be(4));
      case 0xde:
        return Map(Be(2));
      case 0xdf:
        return Map(Be(4));
      default:
        luaL_error(L_, "Bad data format in input.");
    }
  }

 private:
  void Need(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) luaL_error(L_, "Missing bytes in input.");
  }

  uint8_t Byte() {
    Need(1);
    return static_cast<uint8_t>(*p_++);
  }

  uint64_t Be(int bytes) {
    Need(static_cast<uint64_t>(bytes));
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = v << 8 | static_cast<uint8_t>(*p_++);
    return v;
  }

  void Bytes(uint64_t n) {
    Need(n);
    lua_pushlstring(L_, p_, static_cast<size_t>(n));
    p_ += n;
  }

  // Every element takes at least one byte: a count larger than the input is refused before
  // anything is allocated for it.
  void Array(uint64_t n) {
    Need(n);
    lua_createtable(L_, static_cast<int>(n), 0);
    for (uint64_t j = 1; j <= n; j++) {
      Value();
      lua_rawseti(L_, -2, static_cast<int>(j));
    }
  }

  void Map(uint64_t n) {
    Need(n * 2);
    lua_createtable(L_, 0, static_cast<int>(n));
    for (uint64_t j = 0; j < n; j++) {
      Value();
      Value();
      if (lua_isnil(L_, -2)) lua_pop(L_, 2);  // a nil key cannot be stored
      else lua_settable(L_, -3);
    }
  }

  lua_State* L_;
  const char* p_;
  const char* end_;
  const char* begin_;
};

int Pack(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  Packer packer(L);
  for (int i = 1; i <= argc; i++) packer.Value(i, 0);
  lua_pushlstring(L, packer.out.data(), packer.out.size());
  return 1;
}

// Unpacks up to `limit` objects (0: all) from `offset`; pushes the next offset (-1 at the end)
// first when `with_offset`.
int UnpackFrom(lua_State* L, const char* data, size_t len, size_t offset, long long limit, bool with_offset) {
  if (with_offset) lua_pushnil(L);
  int base = lua_gettop(L);
  Unpacker unpacker(L, data, len, offset);
  long long n = 0;
  while (!unpacker.done() && (limit == 0 || n < limit)) {
    unpacker.Value();
    n++;
  }
  if (with_offset) {
    lua_pushnumber(L, unpacker.done() ? -1 : static_cast<double>(unpacker.offset()));
    lua_replace(L, base);
  }
  return static_cast<int>(lua_gettop(L) - base + (with_offset ? 1 : 0));
}

int Unpack(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  return UnpackFrom(L, s, len, 0, 0, false);
}

int UnpackLimited(lua_State* L, long long limit, int offset_arg) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  long long offset = static_cast<long long>(luaL_optnumber(L, offset_arg, 0));
  if (offset < 0 || limit < 0) return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", static_cast<int>(offset), static_cast<int>(limit));
  if (static_cast<size_t>(offset) > len) return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset), static_cast<int>(len));
  return UnpackFrom(L, s, len, static_cast<size_t>(offset), limit, true);
}

int UnpackOne(lua_State* L) { return UnpackLimited(L, 1, 2); }

int UnpackLimit(lua_State* L) { return UnpackLimited(L, static_cast<long long>(luaL_checknumber(L, 2)), 3); }

}  // namespace

extern "C" int luaopen_cmsgpack(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, UnpackOne);
  lua_setfield(L, -2, "unpack_one");
  lua_pushcfunction(L, UnpackLimit);
  lua_setfield(L, -2, "unpack_limit");
  return 1;
}
