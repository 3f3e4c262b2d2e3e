{
  # llhttp's generated C is third-party code built with its own (quiet) flags in a static library;
  # nevio's own C++ is built with -Wall -Wextra -Werror.
  "variables": { "nevio_sanitize%": "false" },
  "target_defaults": {
    "conditions": [
      ["nevio_sanitize=='true'", {
        "cflags": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
        "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
        "ldflags": ["-fsanitize=address"],
        "xcode_settings": {
          "OTHER_CFLAGS": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
          "OTHER_LDFLAGS": ["-fsanitize=address"]
        }
      }]
    ]
  },
  "targets": [
    {
      "target_name": "llhttp",
      "type": "static_library",
      "sources": ["src/llhttp/llhttp.c", "src/llhttp/api.c", "src/llhttp/http.c"],
      "include_dirs": ["<!(node scripts/llhttp-dir.js --source-dir)", "<!(node scripts/llhttp-dir.js --include)"],
      # Strict mode rejects bare LF line endings and other lenient parses (llhttp 8 decides this
      # at compile time).
      "defines": ["LLHTTP_STRICT_MODE=1"],
      # The node executable exports its own llhttp (9.x, another struct layout) and ELF would bind
      # our calls to it; hidden visibility keeps every llhttp symbol inside this addon.
      "cflags": ["-O3", "-fPIC", "-fvisibility=hidden", "-w"],
      "cflags!": ["-Wall", "-Wextra"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-fvisibility=hidden", "-w"] },
      "direct_dependent_settings": {
        "include_dirs": ["<!(node scripts/llhttp-dir.js --include)"],
        "defines": ["LLHTTP_STRICT_MODE=1"]
      }
    },
    {
      "target_name": "nevio_http",
      "dependencies": ["llhttp"],
      "sources": ["src/parser.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # C++ exceptions, as in @nevio/native's addon: a bad argument throws a TypeError.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-Wall", "-Wextra", "-Werror"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++1y", "-std=gnu++14"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-Wall", "-Wextra", "-Werror"]
      }
    }
  ]
}
