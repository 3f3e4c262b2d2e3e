cmd_Release/obj.target/nevio_native_test/test/native/main.o := g++ -o Release/obj.target/nevio_native_test/test/native/main.o ../test/native/main.cc '-DNODE_GYP_MODULE_NAME=nevio_native_test' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' -I/usr/include/node -I/usr/src -I/usr/deps/openssl/config -I/usr/deps/openssl/openssl/include -I/usr/deps/uv/include -I/usr/deps/zlib -I/usr/deps/v8/include -I../src  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -m64 -O3 -fno-omit-frame-pointer -std=c++17 -fexceptions -Wall -Wextra -Werror -O2 -fno-rtti -MMD -MF ./Release/.deps/Release/obj.target/nevio_native_test/test/native/main.o.d.raw   -c
Release/obj.target/nevio_native_test/test/native/main.o: \
 ../test/native/main.cc ../test/native/check.h
../test/native/main.cc:
../test/native/check.h:
