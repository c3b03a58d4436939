#pragma once
// The error classes of crv-io. Every failure the library reports is one of these;
// each carries, where known, the file, column, row and byte offset involved, so a
// message can point a user at the exact place to look.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace crv {

// Where an error happened. Empty fields are unknown or not applicable.
struct ErrorContext {
  std::string path;                // file or folder
  std::string column;              // column (dotted for nested fields)
  std::optional<int64_t> row;      // 0-based row in the frame or input
  std::optional<uint64_t> offset;  // byte offset in `path`
};

// Base of every crv-io error. what() is the message followed by the context.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ErrorContext context = {});
  // The message without the context suffix.
  const std::string& message() const { return message_; }
  const ErrorContext& context() const { return context_; }
  // Short class name, e.g. "IoSchemaError"; used by the CLI's error lines.
  virtual const char* kind() const { return "Error"; }

 private:
  std::string message_;
  ErrorContext context_;
};

#define CRV_DECLARE_ERROR(Name, Base)                                    \
  class Name : public Base {                                             \
   public:                                                               \
    explicit Name(const std::string& message, ErrorContext context = {}) \
        : Base(message, std::move(context)) {}                           \
    const char* kind() const override { return #Name; }                  \
  }

// A name breaks the grammar: unknown table, not lower_snake, bad run id.
CRV_DECLARE_ERROR(GrammarError, Error);
// A row or value breaks a rule of the core contracts (versions, row rules).
CRV_DECLARE_ERROR(SchemaError, Error);
// Base of the I/O layer's errors.
CRV_DECLARE_ERROR(IoError, Error);
// A setting is invalid; names the source (environment, file), key and value.
CRV_DECLARE_ERROR(IoConfigError, IoError);
// A frame does not fit the table descriptor; names column, row and value.
CRV_DECLARE_ERROR(IoSchemaError, IoError);
// A part could not be written, flushed or renamed.
CRV_DECLARE_ERROR(IoWriteError, IoError);
// A manifest is missing, corrupt or could not be written.
CRV_DECLARE_ERROR(IoManifestError, IoError);
// A file is not valid Parquet (truncated, corrupt, hostile) or uses a feature
// this library does not read; names the file and byte offset.
CRV_DECLARE_ERROR(IoFormatError, IoError);

#undef CRV_DECLARE_ERROR

}  // namespace crv
