// status.h: the result of an operation inside the core. Expected failures
// (bad input, not found, a busy database) are values, never exceptions.
// Status and Result<T> are plain values and safe to copy between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace frontdesk {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalid,      // the input is wrong; the caller must change it
    kNotFound,
    kConflict,     // the request clashes with the state (duplicate, reused key)
    kPreconditionFailed,  // If-Match named a version that is no longer current
    kRejected,     // a routing rule refused the request; the message says why
    kBusy,         // try again later (SQLITE_BUSY past the timeout)
    kIo,           // the disk or the network failed; try again later
    kUnavailable,  // a dependency is down; try again later
    kUnauthorized,
    kForbidden,
    kTooLarge,
    kInternal,     // a bug or a library failure
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string m, std::string field = {}) {
    return Status(Code::kInvalid, std::move(m), std::move(field));
  }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status PreconditionFailed(std::string m) {
    return Status(Code::kPreconditionFailed, std::move(m));
  }
  static Status Rejected(std::string m) { return Status(Code::kRejected, std::move(m)); }
  static Status Busy(std::string m) { return Status(Code::kBusy, std::move(m)); }
  static Status Io(std::string m) { return Status(Code::kIo, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Unauthorized(std::string m) { return Status(Code::kUnauthorized, std::move(m)); }
  static Status Forbidden(std::string m) { return Status(Code::kForbidden, std::move(m)); }
  static Status TooLarge(std::string m, std::string field = {}) {
    return Status(Code::kTooLarge, std::move(m), std::move(field));
  }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field the error is about (an API field, a header, a config key).
  const std::string& field() const { return field_; }
  // True for failures that may pass if the same thing is tried again later:
  // the basis for HTTP 503 and mailgate's exit 75.
  bool transient() const {
    return code_ == Code::kBusy || code_ == Code::kIo || code_ == Code::kUnavailable;
  }
  // "invalid: message", for logs.
  std::string ToString() const;
  // A short stable name for the code, as used in API error bodies.
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

// Holds a T or a non-ok Status. GCC 12 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace frontdesk
