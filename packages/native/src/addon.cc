// The addon's entry point: the `Reactor` class (reactor_wrap.cc), the module functions that
// reach a reactor of any thread by its inbox id, and protocol.h's numbers as `constants`.
#include <napi.h>

#include <vector>

#include "args.h"
#include "backend.h"
#include "balancer.h"
#include "inbox.h"
#include "protocol.h"
#include "reactor_wrap.h"
#include "tls_wrap.h"

namespace nevio {

namespace {

// Module functions that reach a reactor of any thread by its inbox id: the cross-thread path
// for asyncWrite, wake and close.
Napi::Value Post(const Napi::CallbackInfo& info, Message::Kind kind, const char* method) {
  Args args(info, method);
  int32_t reactor = args.Int32(0, "reactorId");
  int32_t id = args.Int32(1, "id");
  std::vector<uint8_t> bytes;
  if (kind == Message::Kind::kWrite) {
    Napi::Uint8Array data = args.Bytes(2, "data");
    bytes.assign(data.Data(), data.Data() + data.ByteLength());
  }
  return Napi::Boolean::New(info.Env(), Inbox::Post(reactor, {kind, id, -1, 0, std::move(bytes)}));
}

Napi::Value PostWrite(const Napi::CallbackInfo& info) { return Post(info, Message::Kind::kWrite, "postWrite"); }
Napi::Value PostWake(const Napi::CallbackInfo& info) { return Post(info, Message::Kind::kWake, "postWake"); }
Napi::Value PostClose(const Napi::CallbackInfo& info) { return Post(info, Message::Kind::kClose, "postClose"); }

Napi::Value LiveConnections(const Napi::CallbackInfo& info) {
  Args args(info, "liveConnections");
  return Napi::Number::New(info.Env(), static_cast<double>(Inbox::Load(args.Int32(0, "reactorId"))));
}

}  // namespace

// protocol.h's values, for @nevio/core: one definition of each, in C++.
Napi::Object DescribeConstants(Napi::Env env) {
  auto Number = [env](Napi::Object object, const char* name, double value) { object.Set(name, Napi::Number::New(env, value)); };
  Napi::Object record = Napi::Object::New(env);
  Number(record, "open", kRecordOpen);
  Number(record, "data", kRecordData);
  Number(record, "inbound", kRecordInbound);
  Number(record, "wake", kRecordWake);
  Number(record, "closed", kRecordClosed);
  Number(record, "datagram", kRecordDatagram);
  Number(record, "stopped", kRecordStopped);
  Number(record, "error", kRecordError);
  Number(record, "drained", kRecordDrained);
  Number(record, "end", kRecordEnd);
  Napi::Object op = Napi::Object::New(env);
  Number(op, "write", kOpWrite);
  Number(op, "close", kOpClose);
  Number(op, "consume", kOpConsume);
  Number(op, "closeWrite", kOpCloseWrite);
  Napi::Array syscalls = Napi::Array::New(env, kCallCount);
  for (uint32_t i = 0; i < kCallCount; i++) syscalls.Set(i, kSyscallNames[i]);
  Napi::Object balance = Napi::Object::New(env);
  Number(balance, "round-robin", static_cast<int32_t>(Balance::kRoundRobin));
  Number(balance, "least-connections", static_cast<int32_t>(Balance::kLeastConnections));
  Number(balance, "source-addr-hash", static_cast<int32_t>(Balance::kSourceAddrHash));
  Number(balance, "random", static_cast<int32_t>(Balance::kRandom));
  Napi::Object defaults = Napi::Object::New(env);
  Number(defaults, "backlog", kDefaultBacklog);
  Number(defaults, "readChunk", static_cast<double>(kDefaultReadChunk));
  Number(defaults, "writeHighWatermark", static_cast<double>(kDefaultHighWatermark));
  Number(defaults, "writeLowWatermark", static_cast<double>(kDefaultLowWatermark));
  Number(defaults, "maxInbound", static_cast<double>(kDefaultMaxInbound));
  Number(defaults, "lingerTimeout", static_cast<double>(kDefaultLingerMs));

  Napi::Object constants = Napi::Object::New(env);
  constants.Set("record", record);
  constants.Set("op", op);
  constants.Set("syscalls", syscalls);
  constants.Set("balance", balance);
  constants.Set("defaults", defaults);
  Number(constants, "recordWords", kRecordWords);
  Number(constants, "slotMask", kSlotMask);
  Number(constants, "idBits", kIdBits);
  Number(constants, "addressSlot", static_cast<double>(kAddressSlot));
  Number(constants, "maxReadChunk", static_cast<double>(kMaxReadChunk));
  Number(constants, "outbound", kOutbound);
  return constants;
}

}  // namespace nevio

static Napi::Object InitNevio(Napi::Env env, Napi::Object exports) {
  exports.Set("Reactor", nevio::DefineReactorClass(env));
  exports.Set("TlsContext", nevio::DefineTlsContextClass(env));
  exports.Set("postWrite", Napi::Function::New<nevio::PostWrite>(env, "postWrite"));
  exports.Set("postWake", Napi::Function::New<nevio::PostWake>(env, "postWake"));
  exports.Set("postClose", Napi::Function::New<nevio::PostClose>(env, "postClose"));
  exports.Set("liveConnections", Napi::Function::New<nevio::LiveConnections>(env, "liveConnections"));
  exports.Set("constants", nevio::DescribeConstants(env));
  exports.Set("backend", Napi::String::New(env, nevio::kOsPoller));
  exports.Set("uringUnavailable", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::String::New(info.Env(), nevio::UringUnavailable());
  }, "uringUnavailable"));
  return exports;
}

NODE_API_MODULE(nevio_native, InitNevio)
