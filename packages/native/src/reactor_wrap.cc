#include "reactor_wrap.h"

#include <uv.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "reactor.h"
#include "tls_wrap.h"

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

// A byte count among the options: absent keeps `fallback`; otherwise a non-negative integer.
size_t OptionSize(const Args& args, const Napi::Object& options, const char* name, size_t fallback) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return fallback;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  // 2^53: every larger double is beyond any buffer this process could hold.
  if (!(d >= 0 && d <= 9007199254740992.0) || static_cast<double>(static_cast<int64_t>(d)) != d) {
    throw Napi::TypeError::New(args.Env(), args.Prefix(name) + " must be a non-negative integer");
  }
  return static_cast<size_t>(d);
}

bool OptionFlag(const Args& args, const Napi::Object& options, const char* name, bool fallback) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return fallback;
  if (!v.IsBoolean()) throw Napi::TypeError::New(args.Env(), args.Prefix(name) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

// The poller's mechanism: absent or this OS's readiness poller's name (`epoll`, `kqueue`), or
// `io_uring`, which must work here (the host asks uringUnavailable first to fall back).
Backend OptionBackend(const Args& args, const Napi::Object& options) {
  Napi::Value v = options.Get("backend");
  if (v.IsUndefined()) return Backend::kEpoll;
  std::string name = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (name == kOsPoller) return Backend::kEpoll;
  if (name != "io_uring") {
    throw Napi::TypeError::New(args.Env(), args.Prefix("backend") + " must be '" + kOsPoller + "' or 'io_uring'");
  }
  std::string why = UringUnavailable();
  if (!why.empty()) {
    Napi::Error error = Napi::Error::New(args.Env(), "io_uring is unavailable: " + why);
    error.Set("code", Napi::String::New(args.Env(), "ERR_NEVIO_BACKEND"));
    error.Set("reason", Napi::String::New(args.Env(), why));
    throw error;
  }
  return Backend::kIoUring;
}

class ReactorWrap : public Napi::ObjectWrap<ReactorWrap>, public Dispatcher {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Reactor",
                       {
                           InstanceMethod<&ReactorWrap::Listen>("listen"),
                           InstanceMethod<&ReactorWrap::ListenerAddress>("listenerAddress"),
                           InstanceMethod<&ReactorWrap::Unlisten>("unlisten"),
                           InstanceMethod<&ReactorWrap::Start>("start"),
                           InstanceMethod<&ReactorWrap::Flush>("flush"),
                           InstanceMethod<&ReactorWrap::Write>("write"),
                           InstanceMethod<&ReactorWrap::Close>("close"),
                           InstanceMethod<&ReactorWrap::CloseWrite>("closeWrite"),
                           InstanceMethod<&ReactorWrap::Detach>("detach"),
                           InstanceMethod<&ReactorWrap::Inbound>("inbound"),
                           InstanceMethod<&ReactorWrap::Outbound>("outbound"),
                           InstanceMethod<&ReactorWrap::SetReading>("setReading"),
                           InstanceMethod<&ReactorWrap::SetNoDelay>("setNoDelay"),
                           InstanceMethod<&ReactorWrap::SetKeepAlive>("setKeepAlive"),
                           InstanceMethod<&ReactorWrap::LocalAddress>("localAddress"),
                           InstanceMethod<&ReactorWrap::RemoteAddress>("remoteAddress"),
                           InstanceMethod<&ReactorWrap::Descriptor>("descriptor"),
                           InstanceMethod<&ReactorWrap::DatagramSender>("datagramSender"),
                           InstanceMethod<&ReactorWrap::DescribeSender>("describeSender"),
                           InstanceMethod<&ReactorWrap::SendTo>("sendTo"),
                           InstanceMethod<&ReactorWrap::Wake>("wake"),
                           InstanceMethod<&ReactorWrap::Stop>("stop"),
                           InstanceMethod<&ReactorWrap::CloseAll>("closeAll"),
                           InstanceMethod<&ReactorWrap::Destroy>("destroy"),
                           InstanceMethod<&ReactorWrap::Count>("count"),
                           InstanceMethod<&ReactorWrap::BackendName>("backend"),
                           InstanceMethod<&ReactorWrap::RegistryId>("registryId"),
                           InstanceMethod<&ReactorWrap::SetBalancer>("setBalancer"),
                           InstanceMethod<&ReactorWrap::Dial>("dial"),
                           InstanceMethod<&ReactorWrap::Abort>("abort"),
                           InstanceMethod<&ReactorWrap::KeepAlive>("keepProcessAlive"),
                           InstanceMethod<&ReactorWrap::SetListenerTls>("setListenerTls"),
                           InstanceMethod<&ReactorWrap::SecureDial>("secureDial"),
                           InstanceMethod<&ReactorWrap::TlsInfo>("tlsInfo"),
                           InstanceMethod<&ReactorWrap::TlsSessionOf>("tlsSession"),
                           InstanceMethod<&ReactorWrap::TlsFailureOf>("tlsFailure"),
                       });
  }

  // new Reactor(onBatch, options)
  ReactorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ReactorWrap>(info) {
    Napi::Env env = info.Env();
    Args args(info, "new Reactor");
    on_batch_ = Napi::Persistent(args.Function(0, "onBatch"));
    Napi::Object options = args.Options(1, "options");

    ReactorOptions o;
    o.read_chunk = OptionSize(args, options, "readChunk", o.read_chunk);
    o.watermarks.high = OptionSize(args, options, "writeHighWatermark", o.watermarks.high);
    o.watermarks.low = OptionSize(args, options, "writeLowWatermark", o.watermarks.low);
    o.max_inbound = OptionSize(args, options, "maxInbound", o.max_inbound);
    o.keep_alive_seconds = static_cast<int>(std::min<size_t>(OptionSize(args, options, "keepAliveSeconds", 0), INT32_MAX));
    o.no_delay = OptionFlag(args, options, "noDelay", true);
    o.allow_half_open = OptionFlag(args, options, "allowHalfOpen", false);
    o.linger_ms = static_cast<int64_t>(OptionSize(args, options, "lingerTimeout", static_cast<size_t>(o.linger_ms)));
    o.backend = OptionBackend(args, options);
    if (o.read_chunk == 0 || o.read_chunk > kMaxReadChunk) {
      throw Napi::RangeError::New(env, "readChunk must be between 1 and " + std::to_string(kMaxReadChunk) + " bytes");
    }
    if (o.watermarks.low > o.watermarks.high) {
      throw Napi::RangeError::New(env, "writeLowWatermark must not exceed writeHighWatermark");
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
    shared.stage_size = kStageSize;

    try {
      reactor_ = std::make_unique<Reactor>(o, shared, this);
    } catch (const std::exception& error) {
      // No memory, or more reactors alive at once than the inbox table holds (inbox.cc).
      throw Napi::Error::New(env, std::string("new Reactor: ") + error.what());
    }
    const char* failed = "";
    int rc = reactor_->Open(&failed);
    if (rc < 0) throw SystemError(env, failed, -rc);
    async_context_ = std::make_unique<Napi::AsyncContext>(env, "nevio:reactor", self);
    napi_add_env_cleanup_hook(env, &ReactorWrap::OnEnvCleanup, this);
  }

  ~ReactorWrap() override {
    napi_remove_env_cleanup_hook(Env(), &ReactorWrap::OnEnvCleanup, this);
    CloseHandles();
  }

  int Dispatch(int count) override {
    Napi::Env env = Env();
    try {
      Napi::Value staged = on_batch_.Call({Napi::Number::New(env, count)});
      if (!staged.IsNumber()) return 0;
      // More ops than the array holds would make ApplyOps read past it.
      return std::min(staged.As<Napi::Number>().Int32Value(), kMaxOps);
    } catch (const Napi::Error& error) {
      // The handlers' own exceptions are caught in JavaScript; reaching here is a bug in the
      // dispatch loop itself, reported like any uncaught exception.
      napi_fatal_exception(env, error.Value());
      return -1;
    }
  }

  void ScheduleExpiry(int64_t delay_ms) override {
    if (linger_timer_ == nullptr) {
      uv_loop_t* loop = nullptr;
      if (napi_get_uv_event_loop(Env(), &loop) != napi_ok) return;
      auto* timer = new uv_timer_t;
      if (uv_timer_init(loop, timer) < 0) {
        // Without the timer, lingering connections still close at the peer's FIN or at stop's
        // timeout; uv_timer_init does not allocate and fails only on a broken loop.
        delete timer;
        return;
      }
      timer->data = this;
      // Never what keeps the process alive: the poll handle does that while the reactor runs.
      uv_unref(reinterpret_cast<uv_handle_t*>(timer));
      linger_timer_ = timer;
    }
    // uv_timer_start fails only on a closing handle, and CloseHandles clears linger_timer_ first.
    uv_timer_start(linger_timer_, &ReactorWrap::OnLingerTimer, static_cast<uint64_t>(delay_ms), 0);
  }

 private:
  uint8_t* Share(Napi::Object self, const char* name, size_t bytes, bool words) {
    Napi::ArrayBuffer memory = Napi::ArrayBuffer::New(Env(), bytes);
    if (words) {
      self.Set(name, Napi::Int32Array::New(Env(), bytes / sizeof(int32_t), memory, 0));
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

  // The open connection named by argument 0; throws EBADF for `call` when it is gone.
  Connection* Open(const Args& args, const char* call) {
    Connection* c = Live(args.info())->Find(args.Int32(0, "id"));
    if (c == nullptr) throw SystemError(args.Env(), call, EBADF);
    return c;
  }

  // listen(transport, host, port, family, path, backlog, reuseAddr, reusePort) -> listener index
  Napi::Value Listen(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.listen");
    std::string transport = args.String(0, "transport");
    Transport t;
    if (transport == "tcp") {
      t = Transport::kTcp;
    } else if (transport == "udp") {
      t = Transport::kUdp;
    } else if (transport == "unix") {
      t = Transport::kUnix;
    } else {
      throw Napi::TypeError::New(info.Env(), "Reactor.listen: transport must be tcp, udp or unix (got " + transport + ")");
    }
    ListenSpec spec;
    spec.host = args.String(1, "host");
    spec.port = static_cast<int>(args.Integer(2, "port", 0, 65535));
    int64_t family = args.Integer(3, "family", 0, 6);
    if (family != 0 && family != 4 && family != 6) throw Napi::RangeError::New(info.Env(), "Reactor.listen: family must be 0, 4 or 6");
    spec.family = family == 4 ? Family::kIPv4 : family == 6 ? Family::kIPv6 : Family::kAny;
    spec.path = args.String(4, "path");
    spec.backlog = static_cast<int>(args.Integer(5, "backlog", 0, INT32_MAX));
    spec.reuse_addr = args.Bool(6, "reuseAddr");
    spec.reuse_port = args.Bool(7, "reusePort");
    const char* failed = "";
    int rc = Live(info)->Listen(t, spec, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return Napi::Number::New(info.Env(), rc);
  }

  // dial(ip, port, path) -> the connection's id; a unix socket when `path` is not empty.
  Napi::Value Dial(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.dial");
    DialSpec spec;
    spec.ip = args.String(0, "ip");
    spec.port = static_cast<int>(args.Integer(1, "port", 0, 65535));
    spec.path = args.String(2, "path");
    const char* failed = "";
    int32_t rc = Live(info)->Dial(spec, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return Napi::Number::New(info.Env(), rc);
  }

  // abort(id, errno): ends a connect in progress; false when the connection is not connecting.
  Napi::Value Abort(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.abort");
    int32_t id = args.Int32(0, "id");
    int err = static_cast<int>(args.Integer(1, "errno", 1, INT32_MAX));
    return Napi::Boolean::New(info.Env(), Live(info)->Abort(id, err));
  }

  // The TLS methods' bodies are in tls_wrap.cc, with the rest of TLS's JavaScript face.
  Napi::Value SetListenerTls(const Napi::CallbackInfo& info) { return ReactorSetListenerTls(Live(info), info); }
  Napi::Value SecureDial(const Napi::CallbackInfo& info) { return ReactorSecureDial(Live(info), info); }
  Napi::Value TlsInfo(const Napi::CallbackInfo& info) { return ReactorTlsInfo(Live(info), info); }
  Napi::Value TlsSessionOf(const Napi::CallbackInfo& info) { return ReactorTlsSession(Live(info), info); }
  Napi::Value TlsFailureOf(const Napi::CallbackInfo& info) { return ReactorTlsFailure(Live(info), info); }

  // keepProcessAlive(on): whether the started reactor's poll handle keeps Node's loop alive (a
  // server's always does; a loop that only dials lets the process exit while it has nothing open).
  Napi::Value KeepAlive(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.keepProcessAlive");
    bool on = args.Bool(0, "on");
    if (poll_ != nullptr) {
      if (on) {
        uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
      } else {
        uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
      }
    }
    return info.Env().Undefined();
  }

  // unlisten(listener) -> false when it was not open; connections it accepted stay open.
  Napi::Value Unlisten(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.unlisten");
    return Napi::Boolean::New(info.Env(), Live(info)->Unlisten(args.Int32(0, "listener")));
  }

  Napi::Value ListenerAddress(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.listenerAddress");
    Endpoint e;
    const char* failed = "";
    int rc = Live(info)->acceptor().LocalAddress(args.Int32(0, "listener"), &e, &failed);
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
      CloseHandles();
      throw SystemError(info.Env(), "uv_poll_start", -rc);
    }
    started_ = true;
    // The handle refers to this object: keep it from being collected until the handle closes.
    Ref();
    return info.Env().Undefined();
  }

  static void OnLingerTimer(uv_timer_t* timer) {
    auto* self = static_cast<ReactorWrap*>(timer->data);
    if (self == nullptr || !self->reactor_ || self->teardown_) return;
    // Close records are emitted outside a round: the poller is woken and the next round
    // delivers them, so no JavaScript runs here.
    int64_t next = self->reactor_->ExpireLingering();
    if (next >= 0) self->ScheduleExpiry(next);
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
    Args args(info, "Reactor.flush");
    Live(info)->ApplyOps(static_cast<int>(args.Integer(0, "ops", 0, kMaxOps)));
    return info.Env().Undefined();
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.write");
    int32_t id = args.Int32(0, "id");
    Napi::Uint8Array bytes = args.Bytes(1, "data");
    int64_t pending = Live(info)->Write(id, bytes.Data(), bytes.ByteLength());
    return Napi::Number::New(info.Env(), static_cast<double>(pending));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.close");
    return Napi::Boolean::New(info.Env(), Live(info)->Close(args.Int32(0, "id")));
  }

  Napi::Value CloseWrite(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.closeWrite");
    return Napi::Boolean::New(info.Env(), Live(info)->CloseWrite(args.Int32(0, "id")));
  }

  // detach(id) -> [fd, pendingOutput | null], or null if the connection is gone.
  Napi::Value Detach(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.detach");
    std::vector<uint8_t> pending;
    int fd = Live(info)->Detach(args.Int32(0, "id"), &pending);
    if (fd < 0) return info.Env().Null();
    Napi::Array out = Napi::Array::New(info.Env(), 2);
    out.Set(0u, Napi::Number::New(info.Env(), fd));
    out.Set(1u, pending.empty() ? info.Env().Null()
                                : Napi::Buffer<uint8_t>::Copy(info.Env(), pending.data(), pending.size()).As<Napi::Value>());
    return out;
  }

  // A view of the connection's unconsumed input; the Blob outlives the view.
  Napi::Value Inbound(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.inbound");
    Connection* c = Live(info)->Find(args.Int32(0, "id"));
    if (c == nullptr || c->in().empty()) return info.Env().Null();
    Blob* blob = c->in().blob();
    blob->Ref();
    return Napi::Buffer<uint8_t>::New(info.Env(), c->in().data(), c->in().size(),
                                      [](Napi::Env, uint8_t*, Blob* b) { b->Unref(); }, blob);
  }

  Napi::Value Outbound(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.outbound");
    Connection* c = Live(info)->Find(args.Int32(0, "id"));
    return Napi::Number::New(info.Env(), c == nullptr ? -1 : static_cast<double>(c->out().size()));
  }

  Napi::Value SetReading(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.setReading");
    int32_t id = args.Int32(0, "id");
    return Napi::Boolean::New(info.Env(), Live(info)->SetReading(id, args.Bool(1, "on")));
  }

  Napi::Value SetNoDelay(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.setNoDelay");
    bool on = args.Bool(1, "on");
    const char* failed = "";
    int rc = nevio::SetNoDelay(Open(args, "setsockopt")->fd(), on, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return info.Env().Undefined();
  }

  Napi::Value SetKeepAlive(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.setKeepAlive");
    bool on = args.Bool(1, "on");
    int seconds = static_cast<int>(args.Integer(2, "seconds", 0, INT32_MAX));
    const char* failed = "";
    int rc = nevio::SetKeepAlive(Open(args, "setsockopt")->fd(), on, seconds, &failed);
    if (rc < 0) throw SystemError(info.Env(), failed, -rc);
    return info.Env().Undefined();
  }

  Napi::Value LocalAddress(const Napi::CallbackInfo& info) {
    return Address(Args(info, "Reactor.localAddress"), "getsockname", &LocalEndpoint);
  }

  Napi::Value RemoteAddress(const Napi::CallbackInfo& info) {
    return Address(Args(info, "Reactor.remoteAddress"), "getpeername", &PeerEndpoint);
  }

  // descriptor(id) -> the connection's socket descriptor (EBADF once it is gone), for listings
  // such as Redis's CLIENT LIST fd=.
  Napi::Value Descriptor(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.descriptor");
    return Napi::Number::New(info.Env(), Open(args, "descriptor")->fd());
  }

  Napi::Value Address(const Args& args, const char* call, int (*lookup)(int, Endpoint*, const char**)) {
    Endpoint e;
    const char* failed = "";
    int rc = lookup(Open(args, call)->fd(), &e, &failed);
    if (rc < 0) throw SystemError(args.Env(), failed, -rc);
    return DescribeEndpoint(args.Env(), e);
  }

  // datagramSender(payloadOffset) -> a copy of the sender's address, kept by the UDP "conn".
  Napi::Value DatagramSender(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.datagramSender");
    Live(info);
    auto offset = static_cast<size_t>(args.Integer(0, "payloadOffset", kAddressSlot, kReadBufferSize));
    Napi::Buffer<uint8_t> read_buffer = Value().Get("readBuffer").As<Napi::Buffer<uint8_t>>();
    return Napi::Buffer<uint8_t>::Copy(info.Env(), read_buffer.Data() + offset - kAddressSlot, sizeof(sockaddr_storage));
  }

  static sockaddr_storage Sender(const Args& args, size_t i) {
    Napi::Uint8Array addr = args.Bytes(i, "sender");
    if (addr.ByteLength() < sizeof(sockaddr_storage)) {
      throw Napi::RangeError::New(args.Env(), args.Prefix("sender") + " must be an address from datagramSender");
    }
    sockaddr_storage storage;
    std::memcpy(&storage, addr.Data(), sizeof storage);
    return storage;
  }

  Napi::Value DescribeSender(const Napi::CallbackInfo& info) {
    sockaddr_storage storage = Sender(Args(info, "Reactor.describeSender"), 0);
    return DescribeEndpoint(info.Env(), DescribeAddress(reinterpret_cast<sockaddr*>(&storage), sizeof storage));
  }

  Napi::Value SendTo(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.sendTo");
    int32_t listener = args.Int32(0, "listener");
    sockaddr_storage to = Sender(args, 1);
    Napi::Uint8Array bytes = args.Bytes(2, "data");
    ssize_t rc = Live(info)->acceptor().SendTo(listener, to, bytes.Data(), bytes.ByteLength());
    if (rc < 0) throw SystemError(info.Env(), "sendto", static_cast<int>(-rc));
    return Napi::Number::New(info.Env(), static_cast<double>(rc));
  }

  Napi::Value Wake(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.wake");
    Live(info)->Wake(args.Int32(0, "id"));
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

  Napi::Value BackendName(const Napi::CallbackInfo& info) {
    bool uring = reactor_ && reactor_->backend() == Backend::kIoUring;
    return Napi::String::New(info.Env(), uring ? "io_uring" : kOsPoller);
  }

  // Releases everything; safe from inside a dispatch (it then happens when the round ends).
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    if (!reactor_ || teardown_) return info.Env().Undefined();
    teardown_ = true;
    if (!running_) Teardown();
    return info.Env().Undefined();
  }

  // The libuv handles live on the heap and are freed by their close callbacks, so they can
  // outlive this object.
  void CloseHandles() {
    if (linger_timer_ != nullptr) {
      uv_timer_stop(linger_timer_);
      linger_timer_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(linger_timer_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
      linger_timer_ = nullptr;
    }
    if (poll_ == nullptr) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    poll_ = nullptr;
  }

  // Stops polling, then closes every descriptor; libuv no longer watches the poller when it closes.
  void Teardown() {
    teardown_ = true;
    CloseHandles();
    reactor_.reset();
    if (started_) {
      started_ = false;
      Unref();
    }
  }

  static void OnEnvCleanup(void* data) {
    // The environment is going away (process exit, or a worker thread ending): release the
    // descriptors and close the inbox now; no JavaScript may run any more.
    auto* self = static_cast<ReactorWrap*>(data);
    self->teardown_ = true;
    self->CloseHandles();
    self->reactor_.reset();
  }

  Napi::Value RegistryId(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Live(info)->InboxId());
  }

  // setBalancer(reactorIds, algorithm): constants.balance names the algorithms.
  Napi::Value SetBalancer(const Napi::CallbackInfo& info) {
    Args args(info, "Reactor.setBalancer");
    Napi::Array ids = args.Array(0, "reactorIds");
    std::vector<int32_t> targets;
    for (uint32_t i = 0; i < ids.Length(); i++) {
      Napi::Value id = ids.Get(i);
      if (!id.IsNumber()) throw Napi::TypeError::New(info.Env(), "Reactor.setBalancer: reactorIds must hold numbers");
      targets.push_back(id.As<Napi::Number>().Int32Value());
    }
    auto algorithm = static_cast<Balance>(args.Integer(1, "algorithm", 0, kBalanceCount - 1));
    Live(info)->SetBalancer(targets, algorithm);
    return info.Env().Undefined();
  }

  Napi::FunctionReference on_batch_;
  std::vector<Napi::Reference<Napi::ArrayBuffer>> keep_;
  std::unique_ptr<Reactor> reactor_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* linger_timer_ = nullptr;  // created by the first ScheduleExpiry
  bool started_ = false;
  bool running_ = false;
  bool teardown_ = false;
};

}  // namespace

Napi::Function DefineReactorClass(Napi::Env env) { return ReactorWrap::Define(env); }

}  // namespace nevio
