// The JavaScript face of the scripting engine: class `LuaEngine` (one Lua interpreter) whose
// host callbacks run redis.call's commands in the server. Arguments go both ways in a shared
// ArrayBuffer (uint32 lengths, then the bytes): a script's KEYS/ARGV from JavaScript at start,
// redis.call's arguments to JavaScript; replies come back in a second shared buffer. A run then
// crosses N-API with numbers only (reading five Buffers out of an array and the name's UTF-8
// took about a third of a run's native time).
#include <napi.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine.h"

namespace nevio::lua {

namespace {

// Lua's allocations past this many bytes fail with "not enough memory" (a runaway script
// allocating in a loop gets an error instead of taking the machine's memory).
constexpr double kMaxMemoryLimit = 64.0 * 1024 * 1024 * 1024;

class JsHost : public Host {
 public:
  JsHost(Napi::Env env, Napi::Object callbacks, Napi::ArrayBuffer args, Napi::ArrayBuffer replies) : env_(env) {
    // The callbacks are methods of `callbacks`: they are called with it as `this`.
    self_ = Napi::Persistent(callbacks);
    call_ = Napi::Persistent(callbacks.Get("call").As<Napi::Function>());
    acl_check_ = Napi::Persistent(callbacks.Get("aclCheck").As<Napi::Function>());
    log_ = Napi::Persistent(callbacks.Get("log").As<Napi::Function>());
    set_resp_ = Napi::Persistent(callbacks.Get("setResp").As<Napi::Function>());
    set_repl_ = Napi::Persistent(callbacks.Get("setRepl").As<Napi::Function>());
    timed_out_ = Napi::Persistent(callbacks.Get("timedOut").As<Napi::Function>());
    UseArgs(args);
    replies_ = Napi::Persistent(replies);
    replies_data_ = static_cast<char*>(replies.Data());
    replies_capacity_ = replies.ByteLength();
  }

  // The shared reply buffer: redis.call's replies, and small final replies (see Reply).
  char* replies_data() const { return replies_data_; }
  size_t replies_capacity() const { return replies_capacity_; }
  // The shared arguments' buffer: a run's keys and arguments at start, redis.call's arguments.
  const char* args_data() const { return static_cast<const char*>(data_); }
  size_t args_capacity() const { return capacity_; }

  std::string_view Call(const std::vector<std::string_view>& argv) override {
    Napi::HandleScope scope(env_);
    Napi::Value grown = Marshal(argv);
    Napi::Value reply = call_.Call(self_.Value(), {Napi::Number::New(env_, static_cast<double>(argv.size())), grown});
    // Usually the reply's length in the shared reply buffer (no copy, valid until the next call);
    // a reply that outgrew it comes as its own bytes.
    if (reply.IsNumber()) {
      size_t len = reply.As<Napi::Number>().Uint32Value();
      if (len > replies_capacity_) throw std::runtime_error("ERR the reply of the command does not fit the shared buffer");
      return std::string_view(replies_data_, len);
    }
    if (!reply.IsTypedArray()) throw std::runtime_error("ERR the command of the script produced no reply");
    Napi::Uint8Array view = reply.As<Napi::Uint8Array>();
    reply_.assign(reinterpret_cast<const char*>(view.Data()), view.ByteLength());
    return reply_;
  }

  int AclCheck(const std::vector<std::string_view>& argv) override {
    Napi::HandleScope scope(env_);
    Napi::Value grown = Marshal(argv);
    Napi::Value verdict = acl_check_.Call(self_.Value(), {Napi::Number::New(env_, static_cast<double>(argv.size())), grown});
    return verdict.IsNumber() ? verdict.As<Napi::Number>().Int32Value() : -1;
  }

 private:
  // Copies `argv` into the shared buffer (uint32 lengths, then the bytes); a bigger buffer that
  // replaces it when it is too small, else undefined.
  Napi::Value Marshal(const std::vector<std::string_view>& argv) {
    size_t need = 4 * argv.size();
    for (std::string_view a : argv) need += a.size();
    Napi::Value grown = env_.Undefined();
    if (need > capacity_) {
      size_t size = capacity_ * 2 > need ? capacity_ * 2 : need;
      Napi::ArrayBuffer bigger = Napi::ArrayBuffer::New(env_, size);
      UseArgs(bigger);
      grown = bigger;
    }
    uint32_t* lengths = static_cast<uint32_t*>(data_);
    uint8_t* bytes = static_cast<uint8_t*>(data_) + 4 * argv.size();
    for (size_t j = 0; j < argv.size(); j++) {
      if (argv[j].size() > UINT32_MAX) throw std::length_error("ERR argument too long");
      lengths[j] = static_cast<uint32_t>(argv[j].size());
      std::memcpy(bytes, argv[j].data(), argv[j].size());
      bytes += argv[j].size();
    }
    return grown;
  }

 public:

  void Log(int level, std::string_view message) override {
    Napi::HandleScope scope(env_);
    log_.Call(self_.Value(), {Napi::Number::New(env_, level), Napi::String::New(env_, message.data(), message.size())});
  }

  void SetResp(int version) override {
    Napi::HandleScope scope(env_);
    set_resp_.Call(self_.Value(), {Napi::Number::New(env_, version)});
  }

  void SetRepl(int flags) override {
    Napi::HandleScope scope(env_);
    set_repl_.Call(self_.Value(), {Napi::Number::New(env_, flags)});
  }

  // Called from the Lua hook, where an exception must not surface: a failure is only logged by
  // JavaScript itself, so it is dropped here.
  void TimedOut() override {
    Napi::HandleScope scope(env_);
    try {
      timed_out_.Call(self_.Value(), {});
    } catch (const Napi::Error&) {
    }
  }

 public:
  // JavaScript replaced the shared arguments' buffer with a bigger one.
  void UseArgs(Napi::ArrayBuffer buffer) {
    args_ = Napi::Persistent(buffer);
    data_ = buffer.Data();
    capacity_ = buffer.ByteLength();
  }

 private:
  Napi::Env env_;
  Napi::ObjectReference self_;
  Napi::FunctionReference call_, acl_check_, log_, set_resp_, set_repl_, timed_out_;
  Napi::Reference<Napi::ArrayBuffer> args_;
  void* data_ = nullptr;
  size_t capacity_ = 0;
  Napi::Reference<Napi::ArrayBuffer> replies_;
  char* replies_data_ = nullptr;
  size_t replies_capacity_ = 0;
  std::string reply_;
};

std::string_view Bytes(const Napi::Value& v, const char* what) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(v.Env(), std::string("LuaEngine: ") + what + " must be a Buffer");
  Napi::Buffer<char> b = v.As<Napi::Buffer<char>>();
  return std::string_view(b.Data(), b.Length());
}

double Num(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("LuaEngine: ") + what + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

class LuaEngine : public Napi::ObjectWrap<LuaEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LuaEngine",
                       {InstanceMethod("compile", &LuaEngine::Compile), InstanceMethod("release", &LuaEngine::Release),
                        InstanceMethod("loadLibrary", &LuaEngine::LoadLibrary), InstanceMethod("start", &LuaEngine::Start),
                        InstanceMethod("resume", &LuaEngine::Resume), InstanceMethod("reply", &LuaEngine::Reply),
                        InstanceMethod("use", &LuaEngine::Use),
                        InstanceMethod("countedErrors", &LuaEngine::CountedErrors), InstanceMethod("kill", &LuaEngine::Kill),
                        InstanceMethod("memory", &LuaEngine::Memory), InstanceMethod("close", &LuaEngine::Close)});
  }

  // new LuaEngine(functions: boolean, memoryLimit: number, host, argsBuffer: ArrayBuffer, repliesBuffer: ArrayBuffer)
  explicit LuaEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LuaEngine>(info) {
    Napi::Env env = info.Env();
    double limit = Num(info, 1, "memoryLimit");
    if (!(limit >= 1024 * 1024 && limit <= kMaxMemoryLimit)) throw Napi::RangeError::New(env, "LuaEngine: memoryLimit must be 1 MiB .. 64 GiB");
    if (!info[2].IsObject() || !info[3].IsArrayBuffer() || !info[4].IsArrayBuffer()) {
      throw Napi::TypeError::New(env, "LuaEngine: host callbacks and two ArrayBuffers expected");
    }
    host_ = std::make_unique<JsHost>(env, info[2].As<Napi::Object>(), info[3].As<Napi::ArrayBuffer>(), info[4].As<Napi::ArrayBuffer>());
    try {
      engine_ = std::make_unique<Engine>(host_.get(), info[0].ToBoolean() ? Mode::kFunctions : Mode::kEval, static_cast<size_t>(limit));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

 private:
  Engine& engine(const Napi::CallbackInfo& info) {
    if (!engine_) throw Napi::Error::New(info.Env(), "LuaEngine: closed");
    return *engine_;
  }

  // compile(body: Buffer, chunkname: string): number (a reference) | string (Lua's error)
  Napi::Value Compile(const Napi::CallbackInfo& info) {
    std::string_view body = Bytes(info[0], "body");
    std::string chunkname = info[1].ToString();
    std::string error;
    int ref = engine(info).Compile(body, chunkname.c_str(), &error);
    if (ref == LUA_NOREF) return Napi::String::New(info.Env(), error);
    return Napi::Number::New(info.Env(), ref);
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    engine(info).Release(static_cast<int>(Num(info, 0, "ref")));
    return info.Env().Undefined();
  }

  // loadLibrary(ref, timeoutMs): [{name, description, flags, ref}] | string (the error)
  Napi::Value LoadLibrary(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<Engine::Registered> registered;
    std::string error;
    if (!engine(info).LoadLibrary(static_cast<int>(Num(info, 0, "ref")), static_cast<int64_t>(Num(info, 1, "timeoutMs")), &registered, &error)) {
      return Napi::String::New(env, error);
    }
    Napi::Array out = Napi::Array::New(env, registered.size());
    for (size_t i = 0; i < registered.size(); i++) {
      Napi::Object fn = Napi::Object::New(env);
      fn.Set("name", Napi::String::New(env, registered[i].name));
      fn.Set("description", registered[i].has_description ? Napi::String::New(env, registered[i].description) : env.Null());
      fn.Set("flags", Napi::Number::New(env, registered[i].flags));
      fn.Set("ref", Napi::Number::New(env, registered[i].ref));
      out.Set(static_cast<uint32_t>(i), fn);
    }
    return out;
  }

  // What start/resume return: the reply's length when the run is done and its reply (at most a
  // quarter of the shared reply buffer, see Reply) was written at the start of that buffer; else
  // kYielded, or kFailed / kLongReply when reply() is to be asked. Folding the reply into the
  // return saves a crossing per run.
  Napi::Value Status(Napi::Env env, RunStatus status) {
    if (status == RunStatus::kYielded) return Napi::Number::New(env, kYielded);
    const RunResult& result = engine_->result();
    if (result.error) return Napi::Number::New(env, kFailed);
    if (result.reply.size() > host_->replies_capacity() / 4) return Napi::Number::New(env, kLongReply);
    std::memcpy(host_->replies_data(), result.reply.data(), result.reply.size());
    return Napi::Number::New(env, static_cast<double>(result.reply.size()));
  }

  // use(name, args): the name of the next runs (the script's SHA1 or the function's name, for
  // error messages) and the shared arguments' buffer, given when either changed: start then
  // takes six arguments, which node-addon-api's CallbackInfo holds without a heap allocation
  // (past six it allocates an array per call).
  Napi::Value Use(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString() || !info[1].IsArrayBuffer()) throw Napi::TypeError::New(env, "LuaEngine: use(name, ArrayBuffer) expected");
    Engine& e = engine(info);
    if (e.running()) throw Napi::Error::New(env, "LuaEngine: a script is running");
    host_->UseArgs(info[1].As<Napi::ArrayBuffer>());
    size_t name_len = 0;
    napi_get_value_string_utf8(env, info[0], nullptr, 0, &name_len);
    e.current_name.resize(name_len);
    napi_get_value_string_utf8(env, info[0], e.current_name.data(), name_len + 1, &name_len);
    return env.Undefined();
  }

  // start(ref, argc, nkeys, callerResp, canYield, busyMs): the run's `argc` strings (keys first)
  // are in the shared arguments' buffer. Returns as Status.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Engine& e = engine(info);
    if (e.running()) throw Napi::Error::New(env, "LuaEngine: a script is already running");
    double argc = Num(info, 1, "argc");
    double nkeys = Num(info, 2, "nkeys");
    const char* data = host_->args_data();
    size_t capacity = host_->args_capacity();
    if (!(argc >= 0 && argc * 4 <= static_cast<double>(capacity)) || !(nkeys >= 0 && nkeys <= argc)) {
      throw Napi::RangeError::New(env, "LuaEngine: argc/nkeys out of range");
    }
    size_t n = static_cast<size_t>(argc);
    size_t k = static_cast<size_t>(nkeys);
    // Kept between runs, so that a run allocates none of them; they point into the shared buffer,
    // which Engine::Start copies into Lua strings before anything else uses it.
    keys_.clear();
    args_.clear();
    size_t offset = 4 * n;
    for (size_t i = 0; i < n; i++) {
      uint32_t len = 0;
      std::memcpy(&len, data + 4 * i, 4);
      if (len > capacity - offset) throw Napi::RangeError::New(env, "LuaEngine: arguments past the shared buffer");
      (i < k ? keys_ : args_).emplace_back(data + offset, len);
      offset += len;
    }
    RunStatus status = e.Start(static_cast<int>(Num(info, 0, "ref")), keys_, args_, static_cast<int>(Num(info, 3, "callerResp")), info[4].ToBoolean(),
                               static_cast<int64_t>(Num(info, 5, "busyMs")));
    return Status(env, status);
  }

  Napi::Value Resume(const Napi::CallbackInfo& info) {
    Engine& e = engine(info);
    if (!e.running()) throw Napi::Error::New(info.Env(), "LuaEngine: no script to resume");
    return Status(info.Env(), e.Resume());
  }

  // reply(): the finished run's reply as a Buffer of its own (after kFailed or kLongReply).
  Napi::Value Reply(const Napi::CallbackInfo& info) {
    const std::string& reply = engine(info).result().reply;
    return Napi::Buffer<char>::Copy(info.Env(), reply.data(), reply.size());
  }

  Napi::Value CountedErrors(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const std::vector<std::string>& counted = engine(info).result().counted;
    Napi::Array out = Napi::Array::New(env, counted.size());
    for (size_t i = 0; i < counted.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::String::New(env, counted[i]));
    return out;
  }

  Napi::Value Kill(const Napi::CallbackInfo& info) {
    engine(info).Kill();
    return info.Env().Undefined();
  }

  Napi::Value Memory(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), engine_ ? static_cast<double>(engine_->memory()) : 0);
  }

  // Frees the interpreter now (SCRIPT FLUSH, FUNCTION FLUSH) rather than at garbage collection.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (engine_ && engine_->running()) throw Napi::Error::New(info.Env(), "LuaEngine: cannot close while a script runs");
    engine_.reset();
    return info.Env().Undefined();
  }

  static constexpr int kYielded = -1, kFailed = -2, kLongReply = -3;
  std::unique_ptr<JsHost> host_;
  std::unique_ptr<Engine> engine_;
  std::vector<std::string_view> keys_, args_;
};

}  // namespace

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  exports.Set("LuaEngine", LuaEngine::Define(env));
  return exports;
}

}  // namespace nevio::lua

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return nevio::lua::InitAddon(env, exports); }

NODE_API_MODULE(nevio_lua, Init)
