// Checked conversions of a native method's JavaScript arguments. node-addon-api's As<T>() does
// not check (a string passed where a number is expected reads as garbage, and a non-buffer
// passed as a Uint8Array reads memory it does not own), so every argument goes through one of
// these: a wrong type throws a TypeError, a number outside the range a RangeError, each naming
// the method and the argument, e.g. "Reactor.write: id must be an int32 (got string)".
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace nevio {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* method) : info_(info), method_(method) {}

  Napi::Env Env() const { return info_.Env(); }
  const Napi::CallbackInfo& info() const { return info_; }

  int32_t Int32(size_t i, const char* name) const { return static_cast<int32_t>(Integer(i, name, INT32_MIN, INT32_MAX)); }

  // An integer number within [min, max].
  int64_t Integer(size_t i, const char* name, int64_t min, int64_t max) const {
    Napi::Value v = info_[i];
    if (!v.IsNumber()) throw Type(v, name, "an integer");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || std::trunc(d) != d) {
      throw Napi::RangeError::New(Env(), Prefix(name) + " must be an integer from " + std::to_string(min) + " to " +
                                             std::to_string(max) + " (got " + v.ToString().Utf8Value() + ")");
    }
    return static_cast<int64_t>(d);
  }

  bool Bool(size_t i, const char* name) const {
    Napi::Value v = info_[i];
    if (!v.IsBoolean()) throw Type(v, name, "a boolean");
    return v.As<Napi::Boolean>().Value();
  }

  std::string String(size_t i, const char* name) const {
    Napi::Value v = info_[i];
    if (!v.IsString()) throw Type(v, name, "a string");
    return v.As<Napi::String>().Utf8Value();
  }

  // A Uint8Array (a Buffer is one).
  Napi::Uint8Array Bytes(size_t i, const char* name) const {
    Napi::Value v = info_[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Type(v, name, "a Uint8Array");
    }
    return v.As<Napi::Uint8Array>();
  }

  Napi::Array Array(size_t i, const char* name) const {
    Napi::Value v = info_[i];
    if (!v.IsArray()) throw Type(v, name, "an array");
    return v.As<Napi::Array>();
  }

  Napi::Function Function(size_t i, const char* name) const {
    Napi::Value v = info_[i];
    if (!v.IsFunction()) throw Type(v, name, "a function");
    return v.As<Napi::Function>();
  }

  // An options object: undefined means none; anything else but an object is a TypeError.
  Napi::Object Options(size_t i, const char* name) const {
    Napi::Value v = info_[i];
    if (v.IsUndefined()) return Napi::Object::New(Env());
    if (!v.IsObject()) throw Type(v, name, "an object");
    return v.As<Napi::Object>();
  }

  // Prefix for messages about the argument: "Reactor.listen: port".
  std::string Prefix(const char* name) const { return std::string(method_) + ": " + name; }

 private:
  Napi::TypeError Type(Napi::Value got, const char* name, const char* expected) const {
    return Napi::TypeError::New(Env(), Prefix(name) + " must be " + expected + " (got " + TypeOf(got) + ")");
  }

  static const char* TypeOf(Napi::Value v) {
    switch (v.Type()) {
      case napi_undefined: return "undefined";
      case napi_null: return "null";
      case napi_boolean: return "boolean";
      case napi_number: return "number";
      case napi_string: return "string";
      case napi_symbol: return "symbol";
      case napi_function: return "function";
      case napi_bigint: return "bigint";
      case napi_external: return "external";
      case napi_object: break;
    }
    return v.IsTypedArray() ? "a typed array of another type" : v.IsArray() ? "array" : "object";
  }

  const Napi::CallbackInfo& info_;
  const char* method_;
};

}  // namespace nevio
