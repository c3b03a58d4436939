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
  // Throws an error of this one's class with the same message and `context` instead: how a
  // caller that knows more (e.g. the batch's first row within the whole input) re-raises.
  [[noreturn]] virtual void rethrow_with_context(ErrorContext context) const {
    throw Error(message_, std::move(context));
  }

 private:
  std::string message_;
  ErrorContext context_;
};

#define CRV_DECLARE_ERROR(Name, Base)                                             \
  class Name : public Base {                                                      \
   public:                                                                        \
    explicit Name(const std::string& message, ErrorContext context = {})          \
        : Base(message, std::move(context)) {}                                    \
    const char* kind() const override { return #Name; }                           \
    [[noreturn]] void rethrow_with_context(ErrorContext context) const override { \
      throw Name(message(), std::move(context));                                  \
    }                                                                             \
  }

// Which layer throws which class, and why. The classes keep the names of the reference's
// Python API, whose callers catch them by name; the names say what went wrong, not where.
// The CLI maps each class to one exit code (include/crv/cli/main.hpp), so a class never
// changes meaning from one layer to another.
//
//   class            thrown by            meaning
//   GrammarError     core, io             a name breaks the grammar
//   SchemaError      core, frame          in-memory data breaks a rule of its own, whatever
//                                         table it is meant for: a core row rule, or an
//                                         array or Arrow C import that breaks the columnar
//                                         layout (buffer sizes, offsets, child lengths)
//   IoConfigError    io, parquet, cli     a setting, option or flag value is invalid
//   IoSchemaError    io, parquet, cli     data does not fit where it is going: a frame or
//                                         input row against the table descriptor, or a
//                                         Parquet column against the type asked for
//   IoWriteError     io, parquet, cli     bytes could not be produced or stored: encoding
//                                         past a format limit, a codec failure, a write,
//                                         flush or rename that failed
//   IoManifestError  io, cli              a manifest is missing, corrupt or unwritable
//   IoFormatError    parquet              a file's bytes are not valid Parquet, or use a
//                                         feature this library does not read
//   IoError          parquet, io, cli     any other operating-system failure (opening an
//                                         input file, listing a folder)
//
// The frame layer throws SchemaError rather than an Io class because it sits below every
// I/O layer and knows nothing of tables or files; a caller that hands it a malformed array
// has broken the data's own rules, as a core row rule does.

// A name breaks the grammar: unknown table, not lower_snake, bad run id.
CRV_DECLARE_ERROR(GrammarError, Error);
// In-memory data breaks a rule of its own: a core row rule, or the columnar layout of an
// array or an imported Arrow C array.
CRV_DECLARE_ERROR(SchemaError, Error);
// Base of the I/O errors; thrown itself for operating-system failures none of the
// subclasses describe.
CRV_DECLARE_ERROR(IoError, Error);
// A setting, option or flag value is invalid; names the source (environment, file, flag),
// key and value.
CRV_DECLARE_ERROR(IoConfigError, IoError);
// Data does not fit where it is going: a frame or input row against the table descriptor
// (names column, row and value), or a Parquet column against the type it is read as.
CRV_DECLARE_ERROR(IoSchemaError, IoError);
// Bytes could not be produced or stored: a format limit or codec failure while encoding,
// or a write, flush or rename that failed.
CRV_DECLARE_ERROR(IoWriteError, IoError);
// A manifest is missing, corrupt or could not be written.
CRV_DECLARE_ERROR(IoManifestError, IoError);
// A file is not valid Parquet (truncated, corrupt, hostile) or uses a feature
// this library does not read; names the file and byte offset.
CRV_DECLARE_ERROR(IoFormatError, IoError);

#undef CRV_DECLARE_ERROR

}  // namespace crv
