// The Arrow C Stream Interface: importing a producer's batches and exporting ours. The
// exported stream's callbacks are C functions called by foreign code, so no exception
// may leave them: each failure becomes the stream's error code and message.

#include "crv/frame/arrow_c_stream.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <exception>
#include <utility>

#include "crv/core/errors.hpp"

namespace crv::frame {
namespace {

std::string producer_error(ArrowArrayStream* stream, int code) {
  const char* message =
      stream->get_last_error != nullptr ? stream->get_last_error(stream) : nullptr;
  if (message != nullptr && *message != '\0') return message;
  return fmt::format("error code {}", code);
}

}  // namespace

ArrowStreamReader::ArrowStreamReader(ArrowArrayStream* stream) {
  if (stream == nullptr) throw SchemaError("the Arrow stream is missing");
  if (stream->release == nullptr) throw SchemaError("the Arrow stream has been released");
  stream_.reset(new ArrowArrayStream(*stream));
  stream->release = nullptr;
  if (stream_->get_schema == nullptr || stream_->get_next == nullptr) {
    throw SchemaError("the Arrow stream has no get_schema or get_next callback");
  }

  if (const int code = stream_->get_schema(stream_.get(), &schema_.schema); code != 0) {
    throw SchemaError(fmt::format("the Arrow stream's schema could not be read: {}",
                                  producer_error(stream_.get(), code)));
  }
  const Field field = import_field(&schema_.schema);
  if (field.type->id() != TypeId::Struct) {
    throw SchemaError(fmt::format("the Arrow stream's schema must be a struct of columns, not {}",
                                  field.type->to_string()));
  }
  fields_ = field.type->fields();
}

void ArrowStreamReader::ReleaseStream::operator()(ArrowArrayStream* stream) const {
  if (stream->release != nullptr) stream->release(stream);
  delete stream;
}

ArrowStreamReader::OwnedSchema::~OwnedSchema() {
  if (schema.release != nullptr) schema.release(&schema);
}

std::optional<Frame> ArrowStreamReader::next() {
  ArrowArray batch{};
  if (const int code = stream_->get_next(stream_.get(), &batch); code != 0) {
    throw SchemaError(fmt::format("the Arrow stream failed at batch {}: {}", batches_read_,
                                  producer_error(stream_.get(), code)));
  }
  if (batch.release == nullptr) return std::nullopt;
  Frame frame = import_frame(&batch, &schema_.schema);
  ++batches_read_;
  return frame;
}

namespace {

struct ExportedStream {
  std::vector<Field> fields;
  TypePtr schema;  // struct_(fields)
  BatchSource source;
  std::string last_error;
};

ExportedStream& exported_state(ArrowArrayStream* stream) {
  return *static_cast<ExportedStream*>(stream->private_data);
}

// Runs `step`, turning an exception into EIO and the stream's last error.
template <class Step>
int guarded_step(ArrowArrayStream* stream, Step&& step) noexcept {
  ExportedStream& state = exported_state(stream);
  try {
    step(state);
    return 0;
  } catch (const std::exception& error) {
    state.last_error = error.what();
  } catch (...) {
    state.last_error = "unknown error";
  }
  return EIO;
}

void check_exported_batch(const Frame& batch, const std::vector<Field>& fields) {
  if (batch.num_columns() != fields.size()) {
    throw SchemaError(fmt::format("a batch has {} columns where the stream's schema has {}",
                                  batch.num_columns(), fields.size()));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (batch.name(i) != fields[i].name || !same_type(batch.column(i)->type(), fields[i].type)) {
      throw SchemaError(
          fmt::format("a batch's column {} is {}: {}, where the schema has {}", i, batch.name(i),
                      batch.column(i)->type()->to_string(), fields[i].to_string()),
          {.column = fields[i].name});
    }
  }
}

int stream_get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
  return guarded_step(stream, [&](ExportedStream& state) {
    export_schema(Field{.name = "", .type = state.schema, .nullable = false}, out);
  });
}

int stream_get_next(ArrowArrayStream* stream, ArrowArray* out) {
  return guarded_step(stream, [&](ExportedStream& state) {
    std::optional<Frame> batch = state.source();
    if (!batch) {
      out->release = nullptr;
      return;
    }
    check_exported_batch(*batch, state.fields);
    export_array(batch->to_struct_array(), out);
  });
}

const char* stream_get_last_error(ArrowArrayStream* stream) {
  const std::string& error = exported_state(stream).last_error;
  return error.empty() ? nullptr : error.c_str();
}

void stream_release(ArrowArrayStream* stream) {
  delete static_cast<ExportedStream*>(stream->private_data);
  stream->private_data = nullptr;
  stream->release = nullptr;
}

}  // namespace

void export_stream(std::vector<Field> fields, BatchSource source, ArrowArrayStream* out) {
  // Built here, where a bad field list reaches the caller, rather than in get_schema.
  TypePtr schema = struct_(fields);
  out->private_data =
      new ExportedStream{std::move(fields), std::move(schema), std::move(source), {}};
  out->get_schema = stream_get_schema;
  out->get_next = stream_get_next;
  out->get_last_error = stream_get_last_error;
  out->release = stream_release;
}

}  // namespace crv::frame
