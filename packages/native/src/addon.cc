// The JavaScript face of the reactor: a node-addon-api class that owns one Reactor, shares its
// record/op arrays and byte buffers with JavaScript as ArrayBuffers, and runs it from a libuv
// poll handle on the poller's descriptor, so it lives inside Node's own event loop.
#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "reactor.h"

namespace nevio {

namespace {

Napi::Error SystemError(Napi::Env env, const char* call, int err) {
  const char* code = uv_err_name(-err);
  Napi::Error error = Napi::Error::New(env, std::string(call) + " " + code);
  error.Set("syscall", Napi::String::New(env, call));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("code", Napi::String::New(env, code));
  return error;
}

Napi::Array DescribeEndpoint(Napi::Env env, const Endpoint& e) {
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, e.family));
  out.Set(1u, Napi::String::New(env, e.address));
  out.Set(2u, Napi::Number::New(env, e.port));
  return out;
}

size_t OptionSize(const Napi::Object& options, const char* name, size_t fallback) {
  Napi::Value v = options.Get(name);
  return v.IsNumber() ? static_cast<size_t>(v.As<Napi::Number>().Int64Value()) : fallback;
}

}  // namespace

class ReactorWrap : public Napi::ObjectWrap<ReactorWrap>, public Dispatcher {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Reactor",
                       {
                           InstanceMethod<&ReactorWrap::Listen>("listen"),
                           InstanceMethod<&ReactorWrap::ListenerAddress>("listenerAddress"),
                           InstanceMethod<&ReactorWrap::Start>("start"),
                           InstanceMethod<&ReactorWrap::Flush>("flush"),
                           InstanceMethod<&ReactorWrap::Write>("write"),
                           InstanceMethod<&ReactorWrap::Close>("close"),
                           InstanceMethod<&ReactorWrap::Detach>("detach"),
                           InstanceMethod<&ReactorWrap::Inbound>("inbound"),
                           InstanceMethod<&ReactorWrap::Outbound>("outbound"),
                           InstanceMethod<&ReactorWrap::SetReading>("setReading"),
                           InstanceMethod<&ReactorWrap::SetNoDelay>("setNoDelay"),
                           InstanceMethod<&ReactorWrap::SetKeepAlive>("setKeepAlive"),
                           InstanceMethod<&ReactorWrap::LocalAddress>("localAddress"),
                           InstanceMethod<&ReactorWrap::RemoteAddress>("remoteAddress"),
                           InstanceMethod<&ReactorWrap::DatagramSender>("datagramSender"),
                           InstanceMethod<&ReactorWrap::DescribeSender>("describeSender"),
                           InstanceMethod<&ReactorWrap::SendTo>("sendTo"),
                           InstanceMethod<&ReactorWrap::Wake>("wake"),
                           InstanceMethod<&ReactorWrap::Stop>("stop"),
                           InstanceMethod<&ReactorWrap::CloseAll>("closeAll"),
                           InstanceMethod<&ReactorWrap::Destroy>("destroy"),
                           InstanceMethod<&ReactorWrap::Count>("count"),
                           InstanceMethod<&ReactorWrap::RegistryId>("registryId"),
                           InstanceMethod<&ReactorWrap::SetBalancer>("setBalancer"),
                       });
  }

  // new Reactor(onBatch, options)
  ReactorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ReactorWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "onBatch must be a function");
    on_batch_ = Napi::Persistent(info[0].As<Napi::Function>());
    Napi::Object options = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);

    ReactorOptions o;
    o.read_chunk = OptionSize(options, "readChunk", o.read_chunk);
    o.watermarks.high = OptionSize(options, "writeHighWatermark", o.watermarks.high);
    o.watermarks.low = OptionSize(options, "writeLowWatermark", o.watermarks.low);
    o.max_inbound = OptionSize(options, "maxInbound", o.max_inbound);
    o.keep_alive_seconds = static_cast<int>(OptionSize(options, "keepAliveSeconds", 0));
    Napi::Value no_delay = options.Get("noDelay");
    o.no_delay = no_delay.IsBoolean() ? no_delay.As<Napi::Boolean>().Value() : true;
    Napi::Value half_open = options.Get("allowHalfOpen");
    o.allow_half_open = half_open.IsBoolean() && half_open.As<Napi::Boolean>().Value();
    if (o.read_chunk == 0 || o.read_chunk > kMaxReadChunk) {
      throw Napi::RangeError::New(env, "readChunk must be between 1 and " + std::to_string(kMaxReadChunk) + " bytes");
    }

    Napi::Object self = info.This().As<Napi::Object>();
    SharedMemory shared;
    shared.records = reinterpret_cast<Record*>(Share(self, "records", kMaxRecords * sizeof(Record), true));
    shared.max_records = kMaxRecords;
    shared.ops = reinterpret_cast<Record*>(Share(self, "ops", kMaxOps * sizeof(Record), true));
    shared.max_ops = kMaxOps;
    shared.read_buffer = Share(self, "readBuffer", kReadBufferSize, false);
    shared.read_buffer_size = kReadBufferSize;
    shared.stage = Share(self, "stage", kStageSize, false);

    reactor_ = std::make_unique<Reactor>(o, shared, this);
    const char* failed = "";
    int rc = reactor_->Open(&failed);
    if (rc < 0) throw SystemError(env, failed, -rc);
    async_context_ = std::make_unique<Napi::AsyncContext>(env, "nevio:reactor", self);
    napi_add_env_cleanup_hook(env, &ReactorWrap::OnEnvCleanup, this);
  }

  ~ReactorWrap() override {
    napi_remove_env_cleanup_hook(Env(), &ReactorWrap::OnEnvCleanup, this);
    StopPolling();
  }

  int Dispatch(int count) override {
    Napi::Env env = Env();
    try {
      Napi::Value staged = on_batch_.Call({Napi::Number::New(env, count)});
      return staged.IsNumber() ? staged.As<Napi::Number>().Int32Value() : 0;
    } catch (const Napi::Error& error) {
      // The handlers' own exceptions are caught in JavaScript; reaching here is a bug in the
      // dispatch loop itself, reported like any uncaught exception.
      napi_fatal_exception(env, error.Value());
      return -1;
    }
  }

 private:
  uint8_t* Share(Napi::Object self, const char* name, size_t bytes, bool words) {
    Napi::ArrayBuffer memory = Napi::ArrayBuffer::New(Env(), bytes);
    if (words) {
      self.Set(name, Napi::Int32Array::New(Env(), bytes / 4, memory, 0));
    } else {
      self.Set(name, Napi::Buffer<uint8_t>::New(Env(), static_cast<uint8_t*>(memory.Data()), bytes,
                                                [](Napi::Env, uint8_t*) {}));
    }
    keep_.push_back(Napi::Persistent(memory));
    return static_cast<uint8_t*>(memory.Data());
  }

  Reactor* Live(const Napi::CallbackInfo& info) {
    if (!reactor_ || teardown_) throw Napi::Error::New(info.Env(), "the reactor is closed");
    return reactor_.get();
  }

  static int32_t Id(const Napi::CallbackInfo& info) { return info[0].As<Napi::Number>().Int32Value(); }

  // listen(transport, host, port, family, path, backlog, reuseAddr, reusePort) -> listener index
  Napi::Value Listen(const Napi::CallbackInfo& info) {
    Reactor* reactor = Live(info);
    std::string transport = info[0].As<Napi::String>();
    ListenSpec spec;
    spec.host = info[1].As<Napi::String>();
    spec.port = info[2].As<Napi::Number>().Int32Value();
    int family = info[3].As<Napi::Number>().Int32Value();
    spec.family = family == 4 ? Family::kIPv4 : family == 6 ? Family::kIPv6 : Family::kAny;
    spec.path = info[4].As<Napi::String>();
    spec.backlog = info[5].As<Napi::Number>().Int32Value();
    spec.reuse_addr = info[6].As<Napi::Boolean>();
    spec.reuse_port = info[7].As<Napi::Boolean>();
    Transport t = transport == "udp" ? Transport::kUdp : transport == "unix" ? Transport::kUnix : Transport::kTcp;
    const char* failed = "";
    int rc = reactor->Listen(t, spec, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return Napi::Number::New(info.Env(), rc);
  }

  Napi::Value ListenerAddress(const Napi::CallbackInfo& info) {
    Endpoint e;
    const char* failed = "";
    int rc = Live(info)->acceptor().LocalAddress(Id(info), &e, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return DescribeEndpoint(info.Env(), e);
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Reactor* reactor = Live(info);
    if (started_) return info.Env().Undefined();
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(info.Env(), &loop) != napi_ok) throw Napi::Error::New(info.Env(), "no libuv loop");
    // The handle lives on the heap and is freed by its close callback, so it can outlive this
    // object if Node tears the environment down first.
    auto* poll = new uv_poll_t;
    int rc = uv_poll_init(loop, poll, reactor->PollFd());
    if (rc < 0) {
      delete poll;
      throw SystemError(info.Env(), "uv_poll_init", -rc);
    }
    poll->data = this;
    poll_ = poll;
    rc = uv_poll_start(poll_, UV_READABLE, &ReactorWrap::OnPoll);
    if (rc < 0) {
      StopPolling();
      throw SystemError(info.Env(), "uv_poll_start", -rc);
    }
    started_ = true;
    // The handle refers to this object: keep it from being collected until the handle closes.
    Ref();
    return info.Env().Undefined();
  }

  static void OnPoll(uv_poll_t* handle, int, int) {
    auto* self = static_cast<ReactorWrap*>(handle->data);
    if (self == nullptr || !self->reactor_) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    // Handlers may drop the last reference to this object while the round runs.
    self->Ref();
    {
      // Closing the callback scope runs process.nextTick callbacks and promise jobs once, after
      // the whole round: handlers' promises resolve after the batch's output has been written.
      Napi::CallbackScope callback_scope(env, *self->async_context_);
      self->running_ = true;
      self->reactor_->RunOnce();
      self->running_ = false;
    }
    if (self->teardown_) self->Teardown();
    self->Unref();
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Live(info)->ApplyOps(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    auto bytes = info[1].As<Napi::Uint8Array>();
    int64_t pending = Live(info)->Write(Id(info), bytes.Data(), bytes.ByteLength());
    return Napi::Number::New(info.Env(), static_cast<double>(pending));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Live(info)->Close(Id(info)));
  }

  // detach(id) -> [fd, pendingOutput | null], or null if the connection is gone.
  Napi::Value Detach(const Napi::CallbackInfo& info) {
    std::vector<uint8_t> pending;
    int fd = Live(info)->Detach(Id(info), &pending);
    if (fd < 0) return info.Env().Null();
    Napi::Array out = Napi::Array::New(info.Env(), 2);
    out.Set(0u, Napi::Number::New(info.Env(), fd));
    out.Set(1u, pending.empty() ? info.Env().Null()
                                : Napi::Buffer<uint8_t>::Copy(info.Env(), pending.data(), pending.size()).As<Napi::Value>());
    return out;
  }

  // The open connection `id` (argument 0); throws EBADF for `call` when it is gone.
  Connection* Open(const Napi::CallbackInfo& info, const char* call) {
    Connection* c = Live(info)->Find(Id(info));
    if (c == nullptr) throw SystemError(info.Env(), call, EBADF);
    return c;
  }

  // A view of the connection's unconsumed input; the Blob outlives the view.
  Napi::Value Inbound(const Napi::CallbackInfo& info) {
    Connection* c = Live(info)->Find(Id(info));
    if (c == nullptr || c->in().empty()) return info.Env().Null();
    Blob* blob = c->in().blob();
    blob->Ref();
    return Napi::Buffer<uint8_t>::New(info.Env(), c->in().data(), c->in().size(),
                                      [](Napi::Env, uint8_t*, Blob* b) { b->Unref(); }, blob);
  }

  Napi::Value Outbound(const Napi::CallbackInfo& info) {
    Connection* c = Live(info)->Find(Id(info));
    return Napi::Number::New(info.Env(), c == nullptr ? -1 : static_cast<double>(c->out().size()));
  }

  Napi::Value SetReading(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Live(info)->SetReading(Id(info), info[1].As<Napi::Boolean>()));
  }

  Napi::Value SetNoDelay(const Napi::CallbackInfo& info) {
    const char* failed = "";
    int rc = nevio::SetNoDelay(Open(info, "setsockopt")->fd(), info[1].As<Napi::Boolean>(), &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return info.Env().Undefined();
  }

  Napi::Value SetKeepAlive(const Napi::CallbackInfo& info) {
    const char* failed = "";
    int rc = nevio::SetKeepAlive(Open(info, "setsockopt")->fd(), info[1].As<Napi::Boolean>(),
                                 info[2].As<Napi::Number>().Int32Value(), &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return info.Env().Undefined();
  }

  Napi::Value LocalAddress(const Napi::CallbackInfo& info) { return Address(info, "getsockname", &LocalEndpoint); }

  Napi::Value RemoteAddress(const Napi::CallbackInfo& info) { return Address(info, "getpeername", &PeerEndpoint); }

  Napi::Value Address(const Napi::CallbackInfo& info, const char* call, int (*lookup)(int, Endpoint*, const char**)) {
    Endpoint e;
    const char* failed = "";
    int rc = lookup(Open(info, call)->fd(), &e, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return DescribeEndpoint(info.Env(), e);
  }

  // datagramSender(payloadOffset) -> a copy of the sender's address, kept by the UDP "conn".
  Napi::Value DatagramSender(const Napi::CallbackInfo& info) {
    Live(info);
    int32_t offset = info[0].As<Napi::Number>().Int32Value();
    if (offset < static_cast<int32_t>(kAddressSlot) || static_cast<size_t>(offset) > kReadBufferSize) {
      throw Napi::RangeError::New(info.Env(), "bad offset");
    }
    Napi::Buffer<uint8_t> read_buffer = Value().Get("readBuffer").As<Napi::Buffer<uint8_t>>();
    return Napi::Buffer<uint8_t>::Copy(info.Env(), read_buffer.Data() + offset - kAddressSlot, sizeof(sockaddr_storage));
  }

  Napi::Value DescribeSender(const Napi::CallbackInfo& info) {
    auto addr = info[0].As<Napi::Buffer<uint8_t>>();
    if (addr.Length() < sizeof(sockaddr_storage)) throw Napi::RangeError::New(info.Env(), "bad address");
    sockaddr_storage storage;
    std::memcpy(&storage, addr.Data(), sizeof storage);
    return DescribeEndpoint(info.Env(), DescribeAddress(reinterpret_cast<sockaddr*>(&storage), sizeof storage));
  }

  Napi::Value SendTo(const Napi::CallbackInfo& info) {
    auto addr = info[1].As<Napi::Buffer<uint8_t>>();
    auto bytes = info[2].As<Napi::Uint8Array>();
    if (addr.Length() < sizeof(sockaddr_storage)) throw Napi::RangeError::New(info.Env(), "bad address");
    sockaddr_storage to;
    std::memcpy(&to, addr.Data(), sizeof to);
    ssize_t rc = Live(info)->acceptor().SendTo(Id(info), to, bytes.Data(), bytes.ByteLength());
    if (rc < 0) throw SystemError(info.Env(), "sendto", static_cast<int>(-rc));
    return Napi::Number::New(info.Env(), static_cast<double>(rc));
  }

  Napi::Value Wake(const Napi::CallbackInfo& info) {
    Live(info)->Wake(Id(info));
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Live(info)->Stop();
    return info.Env().Undefined();
  }

  Napi::Value CloseAll(const Napi::CallbackInfo& info) {
    Live(info)->CloseAll();
    return info.Env().Undefined();
  }

  Napi::Value Count(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), reactor_ && !teardown_ ? static_cast<double>(reactor_->ConnectionCount()) : 0);
  }

  // Releases everything; safe from inside a dispatch (it then happens when the round ends).
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    if (!reactor_ || teardown_) return info.Env().Undefined();
    teardown_ = true;
    if (!running_) Teardown();
    return info.Env().Undefined();
  }

  void StopPolling() {
    if (poll_ == nullptr) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
  }

  // Stops polling, then closes every descriptor; libuv no longer watches the poller when it closes.
  void Teardown() {
    teardown_ = true;
    StopPolling();
    reactor_.reset();
    if (started_) {
      started_ = false;
      Unref();
    }
  }

  static void OnEnvCleanup(void* data) {
    // The environment is going away (process exit, or a worker thread ending): release the
    // descriptors and leave the process-wide registry now; no JavaScript may run any more.
    auto* self = static_cast<ReactorWrap*>(data);
    self->teardown_ = true;
    self->StopPolling();
    self->reactor_.reset();
  }

  Napi::Value RegistryId(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Live(info)->InboxId());
  }

  // setBalancer(reactorIds, algorithm): 0 round-robin, 1 least-connections, 2 source-addr-hash, 3 random.
  Napi::Value SetBalancer(const Napi::CallbackInfo& info) {
    Napi::Array ids = info[0].As<Napi::Array>();
    std::vector<int32_t> targets;
    for (uint32_t i = 0; i < ids.Length(); i++) targets.push_back(ids.Get(i).As<Napi::Number>().Int32Value());
    int32_t algorithm = info[1].As<Napi::Number>().Int32Value();
    if (algorithm < 0 || algorithm > 3) throw Napi::RangeError::New(info.Env(), "unknown balancing algorithm");
    Live(info)->SetBalancer(targets, static_cast<Balance>(algorithm));
    return info.Env().Undefined();
  }

  Napi::FunctionReference on_batch_;
  std::vector<Napi::Reference<Napi::ArrayBuffer>> keep_;
  std::unique_ptr<Reactor> reactor_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  uv_poll_t* poll_ = nullptr;
  bool started_ = false;
  bool running_ = false;
  bool teardown_ = false;
};

// Module functions that reach a reactor of any thread by its inbox id: the cross-thread path
// for asyncWrite, wake and close.
Napi::Value Post(const Napi::CallbackInfo& info, Message::Kind kind) {
  int32_t reactor = info[0].As<Napi::Number>().Int32Value();
  int32_t id = info[1].As<Napi::Number>().Int32Value();
  std::vector<uint8_t> bytes;
  if (kind == Message::Kind::kWrite) {
    auto data = info[2].As<Napi::Uint8Array>();
    bytes.assign(data.Data(), data.Data() + data.ByteLength());
  }
  return Napi::Boolean::New(info.Env(), Inbox::Post(reactor, {kind, id, -1, 0, std::move(bytes)}));
}

Napi::Value PostWrite(const Napi::CallbackInfo& info) { return Post(info, Message::Kind::kWrite); }
Napi::Value PostWake(const Napi::CallbackInfo& info) { return Post(info, Message::Kind::kWake); }
Napi::Value PostClose(const Napi::CallbackInfo& info) { return Post(info, Message::Kind::kClose); }

Napi::Value LiveConnections(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Inbox::Load(info[0].As<Napi::Number>().Int32Value())));
}

}  // namespace nevio

namespace nevio {

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

  Napi::Object constants = Napi::Object::New(env);
  constants.Set("record", record);
  constants.Set("op", op);
  constants.Set("syscalls", syscalls);
  constants.Set("balance", balance);
  constants.Set("defaults", defaults);
  Number(constants, "recordWords", kRecordWords);
  Number(constants, "slotMask", kSlotMask);
  Number(constants, "addressSlot", static_cast<double>(kAddressSlot));
  Number(constants, "maxReadChunk", static_cast<double>(kMaxReadChunk));
  return constants;
}

}  // namespace nevio

static Napi::Object InitNevio(Napi::Env env, Napi::Object exports) {
  exports.Set("Reactor", nevio::ReactorWrap::Define(env));
  exports.Set("postWrite", Napi::Function::New<nevio::PostWrite>(env, "postWrite"));
  exports.Set("postWake", Napi::Function::New<nevio::PostWake>(env, "postWake"));
  exports.Set("postClose", Napi::Function::New<nevio::PostClose>(env, "postClose"));
  exports.Set("liveConnections", Napi::Function::New<nevio::LiveConnections>(env, "liveConnections"));
  exports.Set("constants", nevio::DescribeConstants(env));
#if defined(__linux__)
  exports.Set("backend", Napi::String::New(env, "epoll"));
#else
  exports.Set("backend", Napi::String::New(env, "kqueue"));
#endif
  return exports;
}

NODE_API_MODULE(nevio_native, InitNevio)
