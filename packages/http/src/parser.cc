// Runs llhttp over everything a connection has buffered, in one call per `react`, and reports the
// requests it found as integer records in an Int32Array shared with JavaScript: crossing from JS
// to C++ once per read instead of once per header is what keeps pipelined parsing cheap.
//
// Offsets in the records are relative to the start of the buffer passed to `execute`. A request
// whose header block is still incomplete is left unconsumed (the caller discards only up to
// `out[1]`), so the bytes of a header block always sit contiguously in the next buffer too and
// header spans never have to be copied here. Body bytes are reported and consumed as they come.
//
// Output layout (all int32):
//   out[0] number of ints used, including this 3-int prologue
//   out[1] how many leading bytes of the buffer the caller must consume
//   out[2] phase after the call: 0 between requests, 1 inside a header block, 2 inside a body
//   then records:
//   HEAD  1, method, flags, headStart, headEnd, urlStart, urlLen, clLow, clHigh, n, n x (nameStart,
//         nameLen, valueStart, valueLen)
//   BODY  2, start, length
//   END   3
//
// `execute` returns 0 when every byte was parsed, 1 when parsing stopped on purpose (a request
// that closes the connection, or an upgrade) and the rest of the input must be ignored, and a
// negative HTTP status (-400, -413, -431) when the input is rejected.

#include <llhttp.h>
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <vector>

static_assert(LLHTTP_VERSION_MAJOR >= 8, "nevio-http needs llhttp 8 or later");

namespace {

llhttp_settings_t MakeSettings();

constexpr int32_t kRecordHead = 1;
constexpr int32_t kRecordBody = 2;
constexpr int32_t kRecordEnd = 3;

constexpr int32_t kPrologue = 3;
constexpr int32_t kHeadFixed = 10;

constexpr int32_t kFlagKeepAlive = 1 << 0;
constexpr int32_t kFlagChunked = 1 << 1;
constexpr int32_t kFlagContentLength = 1 << 2;
constexpr int32_t kFlagExpectContinue = 1 << 3;
constexpr int32_t kFlagUpgrade = 1 << 4;

constexpr int32_t kStatusDone = 0;
constexpr int32_t kStatusStop = 1;

enum Phase : int32_t { kBetween = 0, kHeaders = 1, kBody = 2 };
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
  explicit Parser(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Parser>(info) {
    if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(info.Env(), "Parser(maxHeaderSize, maxHeaders, maxBodySize) takes three numbers")
          .ThrowAsJavaScriptException();
      return;
    }
    maxHeaderSize_ = info[0].As<Napi::Number>().Int64Value();
    maxHeaders_ = info[1].As<Napi::Number>().Int64Value();
    maxBodySize_ = info[2].As<Napi::Number>().DoubleValue();
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
  }

  // execute(buffer, out: Int32Array) -> status
  Napi::Value Execute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsTypedArray()) {
      Napi::TypeError::New(env, "execute(buffer, out) takes a Buffer and an Int32Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto buffer = info[0].As<Napi::Buffer<char>>();
    auto outArray = info[1].As<Napi::TypedArray>();
    if (outArray.TypedArrayType() != napi_int32_array) {
      Napi::TypeError::New(env, "execute: out must be an Int32Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto out = outArray.As<Napi::Int32Array>();
    const size_t length = buffer.Length();
    // Every record is smaller than the input bytes it describes (a header is at least 4 bytes
    // and costs 4 ints; a request is at least 16 bytes and costs at most 14 ints), so this
    // bound lets the callbacks write without checking.
    if (length > INT32_MAX / 2 || out.ElementLength() < length + kPrologue + kHeadFixed + 8) {
      Napi::RangeError::New(env, "execute: out is smaller than the buffer length + 32").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (kept_ > length) {
      Napi::Error::New(env, "execute: the buffer lost bytes the parser had kept").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    base_ = buffer.Data();
    end_ = base_ + length;
    out_ = out.Data();
    used_ = kPrologue;

    int32_t status = kStatusDone;
    if (errorStatus_ != 0) {
      status = -errorStatus_;
    } else {
      llhttp_errno_t err = llhttp_execute(&parser_, base_ + kept_, length - kept_);
      if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
        status = kStatusStop;
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
    if (status == kStatusDone && phase_ == kHeaders) {
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
    out_[0] = used_;
    out_[1] = consume;
    out_[2] = phase_;
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

  static int OnMessageBegin(llhttp_t* p) {
    Parser* self = From(p);
    self->StartMessage();
    self->phase_ = kHeaders;
    return 0;
  }

  static int OnMethod(llhttp_t* p, const char* at, size_t) {
    Parser* self = From(p);
    if (self->msgStart_ < 0) self->msgStart_ = self->Offset(at);
    self->lastSpan_ = kSpanMethod;
    return 0;
  }

  static int OnUrl(llhttp_t* p, const char* at, size_t len) {
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

  static int OnHeaderField(llhttp_t* p, const char* at, size_t len) {
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

  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
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
      if (q >= last) return q[1] != '\r' || q[2] != '\n';
      q++;
    }
  }

  static int OnHeadersComplete(llhttp_t* p) {
    Parser* self = From(p);
    if (self->BadLineEndings()) return self->Fail(400, "header lines must end in CRLF and not be folded");
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
    flags |= static_cast<int32_t>(p->http_major) << 16 | static_cast<int32_t>(p->http_minor) << 8;

    int32_t* r = self->out_ + self->used_;
    r[0] = kRecordHead;
    r[1] = p->method;
    r[2] = flags;
    r[3] = self->msgStart_;
    r[4] = self->headEnd_;
    r[5] = self->urlStart_;
    r[6] = self->urlLen_;
    r[7] = static_cast<int32_t>(p->content_length & 0xffffffffu);
    r[8] = static_cast<int32_t>(p->content_length >> 32);
    r[9] = static_cast<int32_t>(self->headers_.size());
    int32_t* h = r + kHeadFixed;
    for (const Header& header : self->headers_) {
      h[0] = header.nameStart;
      h[1] = header.nameLen;
      h[2] = header.valueStart;
      h[3] = header.valueLen;
      h += 4;
    }
    self->used_ = static_cast<int32_t>(h - self->out_);
    self->phase_ = kBody;
    return 0;
  }

  static int OnBody(llhttp_t* p, const char* at, size_t len) {
    Parser* self = From(p);
    self->bodyBytes_ += len;
    if (self->maxBodySize_ >= 0 && static_cast<double>(self->bodyBytes_) > self->maxBodySize_) {
      return self->Fail(413, "body exceeds the body size limit");
    }
    int32_t* r = self->out_ + self->used_;
    // llhttp reports a Content-Length body that spans reads piece by piece; merge the pieces of
    // one read so that a body costs one record per read.
    if (self->used_ >= kPrologue + 3 && r[-3] == kRecordBody && r[-2] + r[-1] == self->Offset(at)) {
      r[-1] += static_cast<int32_t>(len);
      return 0;
    }
    r[0] = kRecordBody;
    r[1] = self->Offset(at);
    r[2] = static_cast<int32_t>(len);
    self->used_ += 3;
    return 0;
  }

  static int OnMessageComplete(llhttp_t* p) {
    Parser* self = From(p);
    self->out_[self->used_++] = kRecordEnd;
    self->phase_ = kBetween;
    self->StartMessage();
    // The connection ends after this request: stop here rather than parse (and perhaps reject)
    // whatever the client sent after it.
    return llhttp_should_keep_alive(p) ? 0 : HPE_PAUSED;
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
  return s;
}

const llhttp_settings_t Parser::kSettings = MakeSettings();

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("Parser", Parser::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(nevio_http, InitModule)
