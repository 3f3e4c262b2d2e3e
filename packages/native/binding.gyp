{
  "variables": { "nevio_sanitize%": "false" },
  "targets": [
    {
      "target_name": "nevio_native",
      "sources": ["src/addon.cc", "src/reactor_wrap.cc", "src/acceptor.cc", "src/balancer.cc", "src/connection.cc", "src/inbox.cc", "src/reactor.cc", "src/socket.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-O2"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
        "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Werror"]
      },
      "conditions": [
        ["OS=='linux'", { "sources": ["src/poller_epoll.cc"] }],
        ["OS=='mac' or OS=='freebsd' or OS=='openbsd'", { "sources": ["src/poller_kqueue.cc"] }],
        ["nevio_sanitize=='true'", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address,undefined"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"],
            "OTHER_LDFLAGS": ["-fsanitize=address,undefined"]
          }
        }]
      ]
    }
  ]
}
