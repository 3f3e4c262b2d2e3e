{
  "variables": {
    "nevio_sanitize%": "false",
    # Whether liburing is there (scripts/liburing.js): the io_uring backend is built only then.
    "nevio_uring%": "<!(node scripts/liburing.js)"
  },
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-O2"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "11.0",
      "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Werror"]
    },
    "conditions": [
      ["nevio_sanitize=='true'", {
        "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-O1", "-g"],
        "ldflags": ["-fsanitize=address,undefined"],
        "xcode_settings": {
          "OTHER_CPLUSPLUSFLAGS": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"],
          "OTHER_LDFLAGS": ["-fsanitize=address,undefined"]
        }
      }]
    ]
  },
  "targets": [
    {
      # The reactor itself: plain C++17, no Node API, so the unit tests link it too.
      "target_name": "nevio_reactor",
      "type": "static_library",
      "sources": ["src/acceptor.cc", "src/balancer.cc", "src/connection.cc", "src/dialer.cc", "src/inbox.cc", "src/reactor.cc", "src/socket.cc", "src/tls_reactor.cc", "src/uring_probe.cc"],
      "cflags": ["-fPIC"],
      "conditions": [
        ["OS=='linux'", { "sources": ["src/poller_epoll.cc"] }],
        ["OS=='linux' and nevio_uring=='true'", {
          "sources": ["src/uring_poller.cc", "src/uring_io.cc"],
          "defines": ["NEVIO_HAVE_URING"],
          "link_settings": { "libraries": ["-luring"] }
        }],
        ["OS=='mac' or OS=='freebsd' or OS=='openbsd'", { "sources": ["src/poller_kqueue.cc"] }]
      ]
    },
    {
      "target_name": "nevio_native",
      # TLS on Node's own OpenSSL: its headers come with Node's (<node>/include/node/openssl, on
      # node-gyp's include path) and its symbols are resolved from the node binary at load time,
      # so the addon links no TLS library of its own.
      "sources": ["src/addon.cc", "src/reactor_wrap.cc", "src/tls_context.cc", "src/tls_session.cc", "src/tls_wrap.cc"],
      "dependencies": ["nevio_reactor"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"]
    },
    {
      # The reactor's unit tests (test/native), run by scripts/run-tests.js: build/Release/nevio_native_test.
      "target_name": "nevio_native_test",
      "type": "executable",
      "sources": [
        "test/native/main.cc",
        "test/native/buffer_test.cc",
        "test/native/balancer_test.cc",
        "test/native/connection_test.cc",
        "test/native/dialer_test.cc",
        "test/native/inbox_test.cc",
        "test/native/reactor_test.cc",
        "test/native/uring_poller_test.cc"
      ],
      "include_dirs": ["src"],
      "dependencies": ["nevio_reactor"],
      "conditions": [["OS=='linux' and nevio_uring=='true'", { "sources": ["test/native/uring_io_test.cc"] }]]
    }
  ],
  "conditions": [
    ["OS=='linux'", {
      "targets": [
        {
          # Runs a command with io_uring refused by seccomp: the fallback tests' real refusal.
          "target_name": "without_uring",
          "type": "executable",
          "sources": ["test/native/without_uring.cc"]
        }
      ]
    }]
  ]
}
