cmd_Release/obj.target/nevio_reactor/src/balancer.o := g++ -o Release/obj.target/nevio_reactor/src/balancer.o ../src/balancer.cc '-DNODE_GYP_MODULE_NAME=nevio_reactor' '-DUSING_UV_SHARED=1' '-DUSING_V8_SHARED=1' '-DV8_DEPRECATION_WARNINGS=1' '-D_GLIBCXX_USE_CXX11_ABI=1' '-D_FILE_OFFSET_BITS=64' '-D_LARGEFILE_SOURCE' '-D__STDC_FORMAT_MACROS' '-DOPENSSL_NO_PINSHARED' '-DOPENSSL_THREADS' -I/usr/include/node -I/usr/src -I/usr/deps/openssl/config -I/usr/deps/openssl/openssl/include -I/usr/deps/uv/include -I/usr/deps/zlib -I/usr/deps/v8/include  -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -fPIC -m64 -O3 -fno-omit-frame-pointer -std=c++17 -fexceptions -Wall -Wextra -Werror -O2 -fno-rtti -MMD -MF ./Release/.deps/Release/obj.target/nevio_reactor/src/balancer.o.d.raw   -c
Release/obj.target/nevio_reactor/src/balancer.o: ../src/balancer.cc \
 ../src/balancer.h
../src/balancer.cc:
../src/balancer.h:
