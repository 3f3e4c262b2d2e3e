// struct: binary packing for scripts, with the API of the `struct` library Redis embeds:
// struct.pack(fmt, ...), struct.unpack(fmt, s [, pos]) (the values, then the next position),
// struct.size(fmt). Format: '<' little-endian, '>' big-endian, '=' native, '![n]' align to n
// (default: the native maximum), 'x' a pad byte, 'b'/'B' char, 'h'/'H' short, 'l'/'L' long,
// 'T' size_t, 'i[n]'/'I[n]' an n-byte int (1..8), 'f' float, 'd' double, 's' a zero-terminated
// string, 'c[n]' n bytes ('c0': all of the string when packing, the previous value's count when
// unpacking); spaces are ignored.
#include <lua.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "redis_api.h"

namespace {

constexpr size_t kMaxIntSize = 8;

struct Format {
  const char* p;
  bool little;
  size_t align;
};

bool NativeLittle() {
  const uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

size_t Number(lua_State* L, const char** p, size_t def) {
  if (!std::isdigit(static_cast<unsigned char>(**p))) return def;
  size_t n = 0;
  while (std::isdigit(static_cast<unsigned char>(**p))) {
    n = n * 10 + static_cast<size_t>(*(*p)++ - '0');
    if (n > 0x7fffffff) luaL_error(L, "integral size out of limits");
  }
  return n;
}

// The size of option `opt` (its count already read into `n` for i/I/c).
size_t OptionSize(lua_State* L, char opt, const char** p) {
  switch (opt) {
    case 'B':
    case 'b':
      return sizeof(char);
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return Number(L, p, 1);
    case 'i':
    case 'I': {
      size_t n = Number(L, p, sizeof(int));
      if (n < 1 || n > kMaxIntSize) luaL_error(L, "integral size %d is larger than limit of %d", static_cast<int>(n), static_cast<int>(kMaxIntSize));
      return n;
    }
    default:
      return 0;
  }
}

size_t Padding(const Format& f, size_t offset, char opt, size_t size) {
  if (opt == 'c' || opt == 's' || opt == 'x') return 0;
  size_t align = size < f.align ? size : f.align;
  if (align <= 1 || (align & (align - 1)) != 0) return 0;
  return (align - (offset & (align - 1))) & (align - 1);
}

// Reads the next option, handling the modifiers; returns 0 at the end of the format.
char Next(lua_State* L, Format* f, size_t* size) {
  for (;;) {
    char opt = *f->p;
    if (opt == '\0') return 0;
    f->p++;
    switch (opt) {
      case ' ':
        continue;
      case '>':
        f->little = false;
        continue;
      case '<':
        f->little = true;
        continue;
      case '=':
        f->little = NativeLittle();
        continue;
      case '!':
        f->align = Number(L, &f->p, alignof(double));
        continue;
      case 's':
        *size = 0;
        return opt;
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'f': case 'd': case 'x': case 'c': case 'i': case 'I':
        *size = OptionSize(L, opt, &f->p);
        return opt;
      default:
        luaL_error(L, "invalid format option '%c'", opt);
        return 0;
    }
  }
}

void PutInt(std::string* out, uint64_t v, size_t size, bool little) {
  for (size_t i = 0; i < size; i++) {
    size_t shift = 8 * (little ? i : size - 1 - i);
    out->push_back(static_cast<char>(shift < 64 ? (v >> shift) & 0xff : 0));
  }
}

uint64_t GetInt(const char* s, size_t size, bool little) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; i++) {
    uint8_t byte = static_cast<uint8_t>(s[little ? size - 1 - i : i]);
    v = v << 8 | byte;
  }
  return v;
}

int Pack(lua_State* L) {
  Format f{luaL_checkstring(L, 1), NativeLittle(), 1};
  std::string out;
  int arg = 2;
  size_t size = 0;
  while (char opt = Next(L, &f, &size)) {
    out.append(Padding(f, out.size(), opt, size), '\0');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        double d = luaL_checknumber(L, arg++);
        int64_t v = d >= -9223372036854775808.0 && d < 9223372036854775808.0 ? static_cast<int64_t>(d) : 0;
        PutInt(&out, static_cast<uint64_t>(v), size, f.little);
        break;
      }
      case 'x':
        out.push_back('\0');
        break;
      case 'f':
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        char bytes[sizeof(double)];
        if (opt == 'f') {
          float v = static_cast<float>(d);
          std::memcpy(bytes, &v, sizeof v);
        } else {
          std::memcpy(bytes, &d, sizeof d);
        }
        if (f.little != NativeLittle()) {
          for (size_t i = 0; i < size / 2; i++) std::swap(bytes[i], bytes[size - 1 - i]);
        }
        out.append(bytes, size);
        break;
      }
      case 'c':
      case 's': {
        size_t len = 0;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (opt == 's') {
          out.append(s, len);
          out.push_back('\0');
        } else {
          if (size == 0) size = len;
          luaL_argcheck(L, len >= size, arg - 1, "string too short");
          out.append(s, size);
        }
        break;
      }
      default:
        break;
    }
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

int Unpack(lua_State* L) {
  Format f{luaL_checkstring(L, 1), NativeLittle(), 1};
  size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  lua_Number init = luaL_optnumber(L, 3, 1);
  luaL_argcheck(L, init >= 1, 3, "offset must be 1 or greater");
  size_t pos = static_cast<size_t>(init) - 1;
  int results = 0;
  size_t size = 0;
  while (char opt = Next(L, &f, &size)) {
    pos += Padding(f, pos, opt, size);
    luaL_argcheck(L, pos <= len && size <= len - pos, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b': case 'h': case 'l': case 'i': {
        uint64_t v = GetInt(data + pos, size, f.little);
        if (size < 8 && (v >> (8 * size - 1)) != 0) v |= ~0ULL << (8 * size);  // sign-extend
        lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v)));
        results++;
        break;
      }
      case 'B': case 'H': case 'L': case 'T': case 'I':
        lua_pushnumber(L, static_cast<lua_Number>(GetInt(data + pos, size, f.little)));
        results++;
        break;
      case 'x':
        break;
      case 'f':
      case 'd': {
        char bytes[sizeof(double)];
        std::memcpy(bytes, data + pos, size);
        if (f.little != NativeLittle()) {
          for (size_t i = 0; i < size / 2; i++) std::swap(bytes[i], bytes[size - 1 - i]);
        }
        if (opt == 'f') {
          float v;
          std::memcpy(&v, bytes, sizeof v);
          lua_pushnumber(L, v);
        } else {
          double v;
          std::memcpy(&v, bytes, sizeof v);
          lua_pushnumber(L, v);
        }
        results++;
        break;
      }
      case 'c': {
        if (size == 0) {
          // 'c0': the count is the value unpacked just before.
          if (results == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = static_cast<size_t>(lua_tonumber(L, -1));
          lua_pop(L, 1);
          results--;
          luaL_argcheck(L, size <= len - pos, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        results++;
        break;
      }
      case 's': {
        const void* nul = std::memchr(data + pos, '\0', len - pos);
        if (nul == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(nul) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        results++;
        break;
      }
      default:
        break;
    }
    pos += size;
  }
  lua_pushnumber(L, static_cast<lua_Number>(pos + 1));
  return results + 1;
}

int Size(lua_State* L) {
  Format f{luaL_checkstring(L, 1), NativeLittle(), 1};
  size_t pos = 0;
  size_t size = 0;
  while (char opt = Next(L, &f, &size)) {
    if (opt == 's' || (opt == 'c' && size == 0)) luaL_argerror(L, 1, "options 'c0' - 's' have undefined sizes");
    pos += Padding(f, pos, opt, size) + size;
  }
  lua_pushnumber(L, static_cast<lua_Number>(pos));
  return 1;
}

}  // namespace

extern "C" int luaopen_struct(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, Size);
  lua_setfield(L, -2, "size");
  return 1;
}
