#pragma once
// Streams of record batches through the Arrow C Stream Interface
// (https://arrow.apache.org/docs/format/CStreamInterface.html): how a producer such as
// Polars, pyarrow or DuckDB hands over a table of several batches, and how crv-io hands
// one out.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crv/frame/arrow_c.hpp"
#include "crv/frame/frame.hpp"
#include "crv/frame/types.hpp"

// The ABI structure, as the specification defines it, under its canonical guard.
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

extern "C" {

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

}  // extern "C"

#endif  // ARROW_C_STREAM_INTERFACE

namespace crv::frame {

// Reads a producer's stream batch by batch. The stream is consumed: the structure is
// moved out of the caller's (which is marked released) and released exactly once, when
// the reader is destroyed. Batches are imported without copying (see import_array) and
// stay valid after the reader is gone.
class ArrowStreamReader {
 public:
  // Reads the stream's schema, which must be a struct ("+s") whose members are the
  // columns. SchemaError when the stream is released, its schema cannot be read or is not
  // a struct of supported types (see arrow_c.hpp).
  explicit ArrowStreamReader(ArrowArrayStream* stream);
  ArrowStreamReader(const ArrowStreamReader&) = delete;
  ArrowStreamReader& operator=(const ArrowStreamReader&) = delete;

  // The columns every batch has: names, types and nullability.
  const std::vector<Field>& fields() const { return fields_; }

  // The next batch; nothing at the end of the stream. A producer error is a SchemaError
  // carrying the producer's message and the batch's index; a batch that breaks the schema
  // or the columnar layout, a SchemaError naming the column.
  std::optional<Frame> next();

  // Batches read so far.
  int64_t batches_read() const { return batches_read_; }

 private:
  // Release the structures they own even when the constructor fails half-way.
  struct ReleaseStream {
    void operator()(ArrowArrayStream* stream) const;
  };
  struct OwnedSchema {
    OwnedSchema() = default;
    OwnedSchema(const OwnedSchema&) = delete;
    OwnedSchema& operator=(const OwnedSchema&) = delete;
    ~OwnedSchema();
    ArrowSchema schema{};
  };

  std::unique_ptr<ArrowArrayStream, ReleaseStream> stream_;
  OwnedSchema schema_;
  std::vector<Field> fields_;
  int64_t batches_read_ = 0;
};

// Yields the next batch of an exported stream, or nothing at its end. Exceptions it
// throws reach the consumer as the stream's error (EIO, get_last_error the message).
using BatchSource = std::function<std::optional<Frame>()>;

// Fills `out` with a stream of `fields` (a "+s" schema) whose batches come from `source`,
// each exported without copying (see export_frame). The consumer must call release once;
// `source` and the batches it yielded live until then. Batches must have the columns of
// `fields`, with those types (SchemaError reported through the stream otherwise).
void export_stream(std::vector<Field> fields, BatchSource source, ArrowArrayStream* out);

}  // namespace crv::frame
