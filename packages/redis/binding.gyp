{
  # The Lua engine of EVAL/FCALL: Lua 5.1.5 compiled as C++ (Debian's liblua5.1-c++, so a Lua
  # error unwinds C++ frames instead of longjmp-ing over their destructors), lua-cjson and
  # LuaBitOp from their Debian packages, and nevio's own cmsgpack/struct. scripts/lua-dir.js finds
  # them (or takes NEVIO_LUA_CFLAGS / NEVIO_LUA_LIBS on other systems).
  "variables": { "nevio_sanitize%": "false" },
  "target_defaults": {
    "conditions": [
      ["nevio_sanitize=='true'", {
        "cflags": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g"],
        "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g"],
        "ldflags": ["-fsanitize=address,undefined"],
        "xcode_settings": {
          "OTHER_CFLAGS": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-g"],
          "OTHER_LDFLAGS": ["-fsanitize=address,undefined"]
        }
      }]
    ]
  },
  "targets": [
    {
      "target_name": "nevio_lua",
      "sources": [
        "native/addon.cc",
        "native/engine.cc",
        "native/sandbox.cc",
        "native/redis_api.cc",
        "native/resp_to_lua.cc",
        "native/lua_to_resp.cc",
        "native/sha1.cc",
        "native/cmsgpack.cc",
        "native/struct.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-Wall", "-Wextra", "-Werror", "<!@(node scripts/lua-dir.js --cflags)"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++1y", "-std=gnu++14"],
      "libraries": ["<!@(node scripts/lua-dir.js --libs)"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CPLUSPLUSFLAGS": ["-O2", "-Wall", "-Wextra", "-Werror", "<!@(node scripts/lua-dir.js --cflags)"]
      }
    }
  ]
}
