// Runs llhttp over everything a connection has buffered, in one call per `react`, and reports the
// requests it found as integer records in an Int32Array shared with JavaScript: crossing from JS
// to C++ once per read instead of once per header is what keeps pipelined parsing cheap.
//
// Offsets in the records are relative to the start of the buffer passed to `execute`. A request
// whose header block is still incomplete is left unconsumed (the caller discards only up to
// out[OUT_CONSUME]), so the bytes of a header block always sit contiguously in the next buffer
// too and header spans never have to be copied here. Body bytes are reported and consumed as
// they come.
//
// Output layout (all int32; the names are those of the `layout` export, which native.ts reads,
// so these constants are defined here only):
//   prologue   OUT_USED ints used (records included), OUT_CONSUME leading bytes of the buffer
//              the caller must consume, OUT_PHASE the phase after the call (PHASE_*)
//   then records, each starting with its kind:
//   HEAD  RECORD_HEAD, method, flags (FLAG_* | major << VERSION_MAJOR_SHIFT | minor <<
//         VERSION_MINOR_SHIFT), headStart, headEnd, urlStart, urlLength, contentLength low and
//         high 32 bits, n; then n x FIELD_INTS (nameStart, nameLength, valueStart, valueLength)
//   BODY  RECORD_BODY, start, length
//   END   RECORD_END
//
// `execute` returns STATUS_DONE when every byte was parsed, STATUS_STOP when parsing stopped on
// purpose (a request that closes the connection, or an upgrade) and the rest of the input must
// be ignored, and a negative HTTP status (-400, -413, -431) when the input is rejected.
//
// Built with NAPI_CPP_EXCEPTIONS: a bad argument throws a Napi::TypeError or RangeError, which
// node-addon-api's callback wrappers turn into the JavaScript exception. The llhttp callbacks are
// noexcept: nothing may unwind through llhttp's C frames.

#include <llhttp.h>
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

static_assert(LLHTTP_VERSION_MAJOR >= 8, "nevio-http needs llhttp 8 or later");

namespace {

llhttp_settings_t MakeSettings();

// The prologue.
constexpr int32_t kOutUsed = 0;
constexpr int32_t kOutConsume = 1;
constexpr int32_t kOutPhase = 2;
constexpr int32_t kPrologue = 3;

constexpr int32_t kRecordHead = 1;
constexpr int32_t kRecordBody = 2;
constexpr int32_t kRecordEnd = 3;

// A HEAD record: its fixed part, then the header fields.
constexpr int32_t kHeadMethod = 1;
constexpr int32_t kHeadFlags = 2;
constexpr int32_t kHeadStart = 3;
constexpr int32_t kHeadEnd = 4;
constexpr int32_t kHeadUrlStart = 5;
constexpr int32_t kHeadUrlLength = 6;
constexpr int32_t kHeadLengthLow = 7;
constexpr int32_t kHeadLengthHigh = 8;
constexpr int32_t kHeadFields = 9;
constexpr int32_t kHeadFixed = 10;

constexpr int32_t kFieldNameStart = 0;
constexpr int32_t kFieldNameLength = 1;
constexpr int32_t kFieldValueStart = 2;
constexpr int32_t kFieldValueLength = 3;
constexpr int32_t kFieldInts = 4;

constexpr int32_t kBodyStart = 1;
constexpr int32_t kBodyLength = 2;
constexpr int32_t kBodyInts = 3;

constexpr int32_t kFlagKeepAlive = 1 << 0;
constexpr int32_t kFlagChunked = 1 << 1;
constexpr int32_t kFlagContentLength = 1 << 2;
constexpr int32_t kFlagExpectContinue = 1 << 3;
constexpr int32_t kFlagUpgrade = 1 << 4;
constexpr int32_t kVersionMajorShift = 16;
constexpr int32_t kVersionMinorShift = 8;

constexpr int32_t kStatusDone = 0;
constexpr int32_t kStatusStop = 1;

// How many ints `out` must have beyond the buffer's length. Records take at most one int per
// input byte they describe (a header field is at least 4 bytes and costs 4 ints; a request is at
// least 16 bytes and costs 11 ints plus its fields), except around the edges of a read: the
// prologue, a body record for the first byte of a body, and the END after it. The callbacks
// rely on this bound to write without checking.
constexpr int32_t kOutSlack = kPrologue + kHeadFixed + 8;

enum Phase : int32_t { kBetween = 0, kHeaders = 1, kBody = 2 };

struct Constant {
  const char* name;
  int32_t value;
};

// The layout as JavaScript sees it: the `layout` export.
constexpr Constant kLayout[] = {
    {"OUT_USED", kOutUsed},
    {"OUT_CONSUME", kOutConsume},
    {"OUT_PHASE", kOutPhase},
    {"PROLOGUE", kPrologue},
    {"OUT_SLACK", kOutSlack},
    {"RECORD_HEAD", kRecordHead},
    {"RECORD_BODY", kRecordBody},
    {"RECORD_END", kRecordEnd},
    {"HEAD_METHOD", kHeadMethod},
    {"HEAD_FLAGS", kHeadFlags},
    {"HEAD_START", kHeadStart},
    {"HEAD_END", kHeadEnd},
    {"HEAD_URL_START", kHeadUrlStart},
    {"HEAD_URL_LENGTH", kHeadUrlLength},
    {"HEAD_LENGTH_LOW", kHeadLengthLow},
    {"HEAD_LENGTH_HIGH", kHeadLengthHigh},
    {"HEAD_FIELDS", kHeadFields},
    {"HEAD_FIXED", kHeadFixed},
    {"FIELD_NAME_START", kFieldNameStart},
    {"FIELD_NAME_LENGTH", kFieldNameLength},
    {"FIELD_VALUE_START", kFieldValueStart},
    {"FIELD_VALUE_LENGTH", kFieldValueLength},
    {"FIELD_INTS", kFieldInts},
    {"BODY_START", kBodyStart},
    {"BODY_LENGTH", kBodyLength},
    {"BODY_INTS", kBodyInts},
    {"FLAG_KEEP_ALIVE", kFlagKeepAlive},
    {"FLAG_CHUNKED", kFlagChunked},
    {"FLAG_CONTENT_LENGTH", kFlagContentLength},
    {"FLAG_EXPECT_CONTINUE", kFlagExpectContinue},
    {"FLAG_UPGRADE", kFlagUpgrade},
    {"VERSION_MAJOR_SHIFT", kVersionMajorShift},
    {"VERSION_MINOR_SHIFT", kVersionMinorShift},
    {"STATUS_DONE", kStatusDone},
    {"STATUS_STOP", kStatusStop},
    {"PHASE_BETWEEN", kBetween},
    {"PHASE_HEADERS", kHeaders},
    {"PHASE_BODY", kBody},
};

// Checked argument conversions: a TypeError naming the call and the argument otherwise.
double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* call, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(call) + ": " + name + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

// A positive whole number that fits the parser's int32 offsets.
int32_t LimitArg(const Napi::CallbackInfo& info, size_t i, const char* call, const char* name) {
  const double v = NumberArg(info, i, call, name);
  if (!(v >= 1 && v <= INT32_MAX && v == static_cast<double>(static_cast<int64_t>(v)))) {
    throw Napi::RangeError::New(info.Env(), std::string(call) + ": " + name + " must be a whole number from 1 to 2^31-1");
  }
  return static_cast<int32_t>(v);
}
// The chunk-extension bytes one message may carry (Node's limit since its CVE-2024-22019 fix).
constexpr int32_t kMaxChunkExtensions = 16 * 1024;

enum Span : uint8_t { kSpanNone, kSpanMethod, kSpanUrl, kSpanField, kSpanValue };

struct Header {
  int32_t nameStart;
  int32_t nameLen;
  int32_t valueStart;
  int32_t valueLen;
};

class Parser : public Napi::ObjectWrap<Parser> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Parser",
                       {
                           InstanceMethod<&Parser::Execute>("execute"),
                           InstanceMethod<&Parser::Reset>("reset"),
                           InstanceMethod<&Parser::ErrorReason>("errorReason"),
                       });
  }

  // new Parser(maxHeaderSize, maxHeaders, maxBodySize); maxBodySize < 0 means unlimited.
  explicit Parser(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<Parser>(info),
        maxHeaderSize_(LimitArg(info, 0, "Parser", "maxHeaderSize")),
        maxHeaders_(LimitArg(info, 1, "Parser", "maxHeaders")),
        maxBodySize_(NumberArg(info, 2, "Parser", "maxBodySize")) {
    if (std::isnan(maxBodySize_)) throw Napi::RangeError::New(info.Env(), "Parser: maxBodySize must not be NaN");
    headers_.reserve(16);
    Init();
  }

 private:
  friend llhttp_settings_t MakeSettings();

  void Init() {
    llhttp_init(&parser_, HTTP_REQUEST, &kSettings);
    parser_.data = this;
    kept_ = 0;
    phase_ = kBetween;
    errorStatus_ = 0;
    errorReason_ = nullptr;
    upgradeAt_ = -1;
    StartMessage();
  }

  void StartMessage() {
    msgStart_ = -1;
    urlStart_ = 0;
    urlLen_ = 0;
    headEnd_ = 0;
    lastSpan_ = kSpanNone;
    headers_.clear();
    bodyBytes_ = 0;
    chunkExtBytes_ = 0;
  }

  // execute(buffer, out: Int32Array) -> status. Called once per read: one napi call per argument.
  Napi::Value Execute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    char* data = nullptr;
    size_t length = 0;
    // napi_get_buffer_info accepts exactly what napi_is_buffer does (any Uint8Array view).
    if (napi_get_buffer_info(env, info[0], reinterpret_cast<void**>(&data), &length) != napi_ok) {
      throw Napi::TypeError::New(env, "execute: buffer must be a Buffer");
    }
    napi_typedarray_type type;
    size_t capacity = 0;
    void* outData = nullptr;
    if (napi_get_typedarray_info(env, info[1], &type, &capacity, &outData, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
      throw Napi::TypeError::New(env, "execute: out must be an Int32Array");
    }
    if (length > INT32_MAX / 2 || capacity < length + kOutSlack) {
      throw Napi::RangeError::New(env, "execute: out is smaller than the buffer length + " + std::to_string(kOutSlack));
    }
    if (kept_ > length) throw Napi::Error::New(env, "execute: the buffer lost bytes the parser had kept");
    base_ = data;
    end_ = base_ + length;
    out_ = static_cast<int32_t*>(outData);
    used_ = kPrologue;

    int32_t status = kStatusDone;
    if (errorStatus_ != 0) {
      status = -errorStatus_;
    } else {
      llhttp_errno_t err = llhttp_execute(&parser_, base_ + kept_, length - kept_);
      if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
        status = kStatusStop;
        // After an upgrade the bytes past the request belong to the new protocol: OUT_CONSUME
        // says where they start.
        if (err == HPE_PAUSED_UPGRADE) upgradeAt_ = static_cast<int32_t>(llhttp_get_error_pos(&parser_) - base_);
      } else if (err != HPE_OK) {
        if (errorStatus_ == 0) errorStatus_ = 400;
        if (errorReason_ == nullptr) errorReason_ = llhttp_get_error_reason(&parser_);
        status = -errorStatus_;
      } else if (phase_ == kHeaders && static_cast<int64_t>(length) - msgStart_ > maxHeaderSize_) {
        Fail(431, "header block too large");
        status = -431;
      }
    }

    int32_t consume = static_cast<int32_t>(length);
    if (upgradeAt_ >= 0) {
      consume = upgradeAt_;
      upgradeAt_ = -1;
    } else if (status == kStatusDone && phase_ == kHeaders) {
      // Keep the whole incomplete header block; rebase its spans so they stay valid against the
      // next buffer, which starts where this block starts.
      consume = msgStart_;
      const int32_t shift = msgStart_;
      urlStart_ -= shift;
      headEnd_ -= shift;
      for (Header& h : headers_) {
        h.nameStart -= shift;
        h.valueStart -= shift;
      }
      msgStart_ = 0;
      kept_ = length - consume;
    } else {
      kept_ = 0;
    }
    out_[kOutUsed] = used_;
    out_[kOutConsume] = consume;
    out_[kOutPhase] = phase_;
    return Napi::Number::New(env, status);
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Init();
    return info.Env().Undefined();
  }

  Napi::Value ErrorReason(const Napi::CallbackInfo& info) {
    const char* reason = errorReason_ != nullptr ? errorReason_ : "";
    return Napi::String::New(info.Env(), reason);
  }

  int Fail(int32_t status, const char* reason) {
    errorStatus_ = status;
    errorReason_ = reason;
    llhttp_set_error_reason(&parser_, reason);
    return HPE_USER;
  }

  int32_t Offset(const char* at) const { return static_cast<int32_t>(at - base_); }

  // Extends the previous span when llhttp reports the rest of a span that an earlier call cut
  // at the end of the buffer; otherwise reports whether a new span starts.
  bool Continues(Span kind, int32_t start, int32_t prevStart, int32_t prevLen) const {
    return lastSpan_ == kind && prevStart + prevLen == start;
  }

  static Parser* From(llhttp_t* p) { return static_cast<Parser*>(p->data); }

  static int OnMessageBegin(llhttp_t* p) noexcept {
    Parser* self = From(p);
    self->StartMessage();
    self->phase_ = kHeaders;
    return 0;
  }

  static int OnMethod(llhttp_t* p, const char* at, size_t) noexcept {
    Parser* self = From(p);
    if (self->msgStart_ < 0) self->msgStart_ = self->Offset(at);
    self->lastSpan_ = kSpanMethod;
    return 0;
  }

  static int OnUrl(llhttp_t* p, const char* at, size_t len) noexcept {
    Parser* self = From(p);
    const int32_t start = self->Offset(at);
    if (self->Continues(kSpanUrl, start, self->urlStart_, self->urlLen_)) {
      self->urlLen_ += static_cast<int32_t>(len);
    } else {
      self->urlStart_ = start;
      self->urlLen_ = static_cast<int32_t>(len);
    }
    self->lastSpan_ = kSpanUrl;
    return self->SpanEnd(start + static_cast<int32_t>(len));
  }

  static int OnHeaderField(llhttp_t* p, const char* at, size_t len) noexcept {
    Parser* self = From(p);
    const int32_t start = self->Offset(at);
    if (!self->headers_.empty()) {
      Header& last = self->headers_.back();
      if (self->Continues(kSpanField, start, last.nameStart, last.nameLen)) {
        last.nameLen += static_cast<int32_t>(len);
        return self->SpanEnd(start + static_cast<int32_t>(len));
      }
    }
    if (static_cast<int64_t>(self->headers_.size()) >= self->maxHeaders_) {
      return self->Fail(431, "too many header fields");
    }
    self->headers_.push_back(Header{start, static_cast<int32_t>(len), start, 0});
    self->lastSpan_ = kSpanField;
    return self->SpanEnd(start + static_cast<int32_t>(len));
  }

  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len) noexcept {
    Parser* self = From(p);
    const int32_t start = self->Offset(at);
    Header& last = self->headers_.back();
    if (self->Continues(kSpanValue, start, last.valueStart, last.valueLen)) {
      last.valueLen += static_cast<int32_t>(len);
    } else {
      last.valueStart = start;
      last.valueLen = static_cast<int32_t>(len);
    }
    self->lastSpan_ = kSpanValue;
    // llhttp reports an empty value as a zero-length span at the start of the next line (it looks
    // ahead for an obsolete line fold), which is not where the header ends.
    return len == 0 ? 0 : self->SpanEnd(start + static_cast<int32_t>(len));
  }

  int SpanEnd(int32_t end) {
    if (end > headEnd_) headEnd_ = end;
    if (static_cast<int64_t>(headEnd_) - msgStart_ > maxHeaderSize_) return Fail(431, "header block too large");
    return 0;
  }

  bool HasExpectContinue() const {
    static constexpr char kName[] = "expect";
    static constexpr char kValue[] = "100-continue";
    for (const Header& h : headers_) {
      if (h.nameLen == 6 && h.valueLen == 12 && strncasecmp(base_ + h.nameStart, kName, 6) == 0 &&
          strncasecmp(base_ + h.valueStart, kValue, 12) == 0) {
        return true;
      }
    }
    return false;
  }

  // llhttp 8 accepts a bare LF after the request line and as the empty line that ends the
  // header block, even in strict mode, and folds obsolete line continuations into values. Proxies
  // that disagree make each of these a request-smuggling vector, so the header block is checked
  // here: every line ends in CRLF and no line starts with whitespace.
  bool BadLineEndings() const {
    const char* q = base_ + msgStart_;
    const char* last = base_ + headEnd_;
    for (;;) {
      q = static_cast<const char*>(memchr(q, '\n', end_ - q));
      if (q == nullptr || q == base_ + msgStart_ || q[-1] != '\r') return true;
      // The block's final CRLF has been parsed, so every LF of the block has two bytes after it.
      if (q + 2 >= end_ || q[1] == ' ' || q[1] == '\t') return true;
      // A line starting with ':' is a field with an empty name (llhttp 9 rejects it, 8 does not).
      if (q < last && q[1] == ':') return true;
      if (q >= last) return q[1] != '\r' || q[2] != '\n';
      q++;
    }
  }

  // A CR that is not part of a CRLF ends a line for some parsers and not for others
  // (CVE-2023-30589: llhttp < 9 took a bare CR as a line end inside the header block).
  bool BareCarriageReturn() const {
    const char* q = base_ + msgStart_;
    const char* last = base_ + headEnd_;
    for (;;) {
      q = static_cast<const char*>(memchr(q, '\r', last + 1 - q));
      if (q == nullptr) return false;
      if (q + 1 >= end_ || q[1] != '\n') return true;
      q += 2;
      if (q > last) return false;
    }
  }

  // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without Host (Node does).
  bool MissingHost(const llhttp_t* p) const {
    if (p->http_major != 1 || p->http_minor < 1) return false;
    for (const Header& h : headers_) {
      if (h.nameLen == 4 && strncasecmp(base_ + h.nameStart, "host", 4) == 0) return false;
    }
    return true;
  }

  static int OnHeadersComplete(llhttp_t* p) noexcept {
    Parser* self = From(p);
    if (self->BadLineEndings()) return self->Fail(400, "header lines must end in CRLF and not be folded");
    if (self->BareCarriageReturn()) return self->Fail(400, "a CR outside a CRLF in the header block");
    if (self->MissingHost(p)) return self->Fail(400, "an HTTP/1.1 request needs a Host header");
    const bool hasLength = (p->flags & F_CONTENT_LENGTH) != 0;
    if (hasLength && self->maxBodySize_ >= 0 && static_cast<double>(p->content_length) > self->maxBodySize_) {
      return self->Fail(413, "content-length exceeds the body size limit");
    }
    int32_t flags = 0;
    if (llhttp_should_keep_alive(p)) flags |= kFlagKeepAlive;
    if (p->flags & F_CHUNKED) flags |= kFlagChunked;
    if (hasLength) flags |= kFlagContentLength;
    if (p->upgrade) flags |= kFlagUpgrade;
    if (self->HasExpectContinue()) flags |= kFlagExpectContinue;
    flags |= static_cast<int32_t>(p->http_major) << kVersionMajorShift | static_cast<int32_t>(p->http_minor) << kVersionMinorShift;

    int32_t* r = self->out_ + self->used_;
    r[0] = kRecordHead;
    r[kHeadMethod] = p->method;
    r[kHeadFlags] = flags;
    r[kHeadStart] = self->msgStart_;
    r[kHeadEnd] = self->headEnd_;
    r[kHeadUrlStart] = self->urlStart_;
    r[kHeadUrlLength] = self->urlLen_;
    r[kHeadLengthLow] = static_cast<int32_t>(p->content_length & 0xffffffffu);
    r[kHeadLengthHigh] = static_cast<int32_t>(p->content_length >> 32);
    r[kHeadFields] = static_cast<int32_t>(self->headers_.size());
    int32_t* h = r + kHeadFixed;
    for (const Header& header : self->headers_) {
      h[kFieldNameStart] = header.nameStart;
      h[kFieldNameLength] = header.nameLen;
      h[kFieldValueStart] = header.valueStart;
      h[kFieldValueLength] = header.valueLen;
      h += kFieldInts;
    }
    self->used_ = static_cast<int32_t>(h - self->out_);
    self->phase_ = kBody;
    return 0;
  }

  static int OnBody(llhttp_t* p, const char* at, size_t len) noexcept {
    Parser* self = From(p);
    self->bodyBytes_ += len;
    if (self->maxBodySize_ >= 0 && static_cast<double>(self->bodyBytes_) > self->maxBodySize_) {
      return self->Fail(413, "body exceeds the body size limit");
    }
    int32_t* r = self->out_ + self->used_;
    // llhttp reports a Content-Length body that spans reads piece by piece; merge the pieces of
    // one read so that a body costs one record per read.
    int32_t* last = r - kBodyInts;
    if (self->used_ >= kPrologue + kBodyInts && last[0] == kRecordBody && last[kBodyStart] + last[kBodyLength] == self->Offset(at)) {
      last[kBodyLength] += static_cast<int32_t>(len);
      return 0;
    }
    r[0] = kRecordBody;
    r[kBodyStart] = self->Offset(at);
    r[kBodyLength] = static_cast<int32_t>(len);
    self->used_ += kBodyInts;
    return 0;
  }

  static int OnMessageComplete(llhttp_t* p) noexcept {
    Parser* self = From(p);
    self->out_[self->used_++] = kRecordEnd;
    self->phase_ = kBetween;
    self->StartMessage();
    // The connection ends after this request: stop here rather than parse (and perhaps reject)
    // whatever the client sent after it.
    // An upgrade stops by itself (HPE_PAUSED_UPGRADE), which tells where the new protocol starts.
    return p->upgrade || llhttp_should_keep_alive(p) ? 0 : HPE_PAUSED;
  }

  // Chunk extensions are parsed and dropped; without a bound a client can keep the server busy
  // reading them for ever within one chunk (CVE-2024-22019). Node allows 16 KiB per message.
  static int OnChunkExtension(llhttp_t* p, const char*, size_t len) noexcept {
    Parser* self = From(p);
    self->chunkExtBytes_ += static_cast<int32_t>(len);
    if (self->chunkExtBytes_ > kMaxChunkExtensions) return self->Fail(413, "chunk extensions exceed 16 KiB");
    return 0;
  }

  static const llhttp_settings_t kSettings;

  llhttp_t parser_;
  int64_t maxHeaderSize_ = 0;
  int64_t maxHeaders_ = 0;
  double maxBodySize_ = -1;

  const char* base_ = nullptr;
  const char* end_ = nullptr;
  int32_t* out_ = nullptr;
  int32_t used_ = 0;
  size_t kept_ = 0;
  Phase phase_ = kBetween;
  int32_t errorStatus_ = 0;
  const char* errorReason_ = nullptr;

  int32_t msgStart_ = -1;
  int32_t urlStart_ = 0;
  int32_t urlLen_ = 0;
  int32_t headEnd_ = 0;
  Span lastSpan_ = kSpanNone;
  std::vector<Header> headers_;
  uint64_t bodyBytes_ = 0;
  int32_t chunkExtBytes_ = 0;
  int32_t upgradeAt_ = -1;
};

llhttp_settings_t MakeSettings() {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_begin = Parser::OnMessageBegin;
  s.on_method = Parser::OnMethod;
  s.on_url = Parser::OnUrl;
  s.on_header_field = Parser::OnHeaderField;
  s.on_header_value = Parser::OnHeaderValue;
  s.on_headers_complete = Parser::OnHeadersComplete;
  s.on_body = Parser::OnBody;
  s.on_message_complete = Parser::OnMessageComplete;
  s.on_chunk_extension_name = Parser::OnChunkExtension;
  s.on_chunk_extension_value = Parser::OnChunkExtension;
  return s;
}

const llhttp_settings_t Parser::kSettings = MakeSettings();

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("Parser", Parser::Define(env));
  Napi::Object layout = Napi::Object::New(env);
  for (const Constant& c : kLayout) layout.Set(c.name, Napi::Number::New(env, c.value));
  exports.Set("layout", layout);
  // llhttp's method numbering, from llhttp.h itself: methods[record[HEAD_METHOD]] is the name.
  Napi::Array methods = Napi::Array::New(env);
#define NEVIO_METHOD(number, name, text) methods.Set(uint32_t{number}, Napi::String::New(env, #text));
  HTTP_ALL_METHOD_MAP(NEVIO_METHOD)
#undef NEVIO_METHOD
  exports.Set("methods", methods);
  return exports;
}

}  // namespace

NODE_API_MODULE(nevio_http, InitModule)
