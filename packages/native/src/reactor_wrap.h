// The JavaScript class `Reactor` (reactor_wrap.cc): owns one Reactor, shares its record/op
// arrays and byte buffers with JavaScript as ArrayBuffers, and runs it from a libuv poll handle
// on the poller's descriptor, so it lives inside Node's own event loop.
#pragma once

#include <napi.h>

namespace nevio {

Napi::Function DefineReactorClass(Napi::Env env);

}  // namespace nevio
