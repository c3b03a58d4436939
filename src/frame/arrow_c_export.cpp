// Export to the Arrow C Data Interface. Every exported structure (the base one and each
// child) owns its private data separately, so a consumer may move children out and
// release them independently of their parent.

#include <fmt/format.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/arrow_c.hpp"

namespace crv::frame {
namespace {

const char* format_of(TypeId id) {
  switch (id) {
    case TypeId::Int64:
      return "l";
    case TypeId::Float64:
      return "g";
    case TypeId::Utf8:
      return "u";
    case TypeId::Bool:
      return "b";
    case TypeId::Struct:
      return "+s";
    case TypeId::List:
      return "+l";
    case TypeId::Null:
      return "n";
  }
  return "";
}

// Child structures are owned by their parent until released or moved out; whatever is
// still live when the parent goes (released, or an export failing halfway) is released.
template <class Structure>
struct ExportedChildren {
  std::vector<Structure> structures;
  std::vector<Structure*> pointers;

  explicit ExportedChildren(size_t count) : structures(count), pointers(count) {
    for (size_t i = 0; i < count; ++i) pointers[i] = &structures[i];
  }
  ExportedChildren(const ExportedChildren&) = delete;
  ExportedChildren& operator=(const ExportedChildren&) = delete;
  ~ExportedChildren() {
    for (Structure& child : structures) {
      if (child.release != nullptr) child.release(&child);
    }
  }
  Structure** data() { return pointers.empty() ? nullptr : pointers.data(); }
};

struct ExportedSchema {
  ExportedSchema(std::string name, size_t child_count)
      : name(std::move(name)), children(child_count) {}

  std::string name;
  ExportedChildren<ArrowSchema> children;
};

struct ExportedArray {
  ExportedArray(ArrayPtr array, size_t child_count)
      : array(std::move(array)), children(child_count) {}

  ArrayPtr array;  // keeps every buffer pointed to below alive
  std::array<const void*, 3> buffers{};
  ExportedChildren<ArrowArray> children;
};

void release_schema(ArrowSchema* schema) {
  delete static_cast<ExportedSchema*>(schema->private_data);  // releases live children
  schema->release = nullptr;
}

void release_array(ArrowArray* array) {
  delete static_cast<ExportedArray*>(array->private_data);
  array->release = nullptr;
}

void fill_schema(const Field& field, ArrowSchema* out) {
  const std::vector<Field>& members = field.type->fields();
  auto exported = std::make_unique<ExportedSchema>(field.name, members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    fill_schema(members[i], &exported->children.structures[i]);
  }
  *out = ArrowSchema{.format = format_of(field.type->id()),
                     .name = exported->name.c_str(),
                     .metadata = nullptr,
                     .flags = field.nullable ? ARROW_FLAG_NULLABLE : 0,
                     .n_children = static_cast<int64_t>(members.size()),
                     .children = exported->children.data(),
                     .dictionary = nullptr,
                     .release = release_schema,
                     .private_data = exported.release()};
}

const void* data_of(const BufferPtr& buffer) {
  return buffer ? buffer->data() : nullptr;
}

void fill_array(const ArrayPtr& array, ArrowArray* out) {
  const std::vector<ArrayPtr>& children = array->children();
  auto exported = std::make_unique<ExportedArray>(array, children.size());
  int64_t buffer_count = 0;
  // Arrow's null type has no buffers at all, not even a validity bitmap.
  if (array->type_id() != TypeId::Null) {
    exported->buffers[buffer_count++] = data_of(array->validity_buffer());
  }
  switch (array->type_id()) {
    case TypeId::Int64:
    case TypeId::Float64:
    case TypeId::Bool:
      exported->buffers[buffer_count++] = data_of(array->values_buffer());
      break;
    case TypeId::Utf8:
      exported->buffers[buffer_count++] = data_of(array->offsets_buffer());
      exported->buffers[buffer_count++] = data_of(array->values_buffer());
      break;
    case TypeId::List:
      exported->buffers[buffer_count++] = data_of(array->offsets_buffer());
      break;
    case TypeId::Struct:
    case TypeId::Null:
      break;
  }
  for (size_t i = 0; i < children.size(); ++i) {
    fill_array(children[i], &exported->children.structures[i]);
  }
  *out = ArrowArray{.length = array->length(),
                    .null_count = array->null_count(),
                    .offset = array->offset(),
                    .n_buffers = buffer_count,
                    .n_children = static_cast<int64_t>(children.size()),
                    .buffers = exported->buffers.data(),
                    .children = exported->children.data(),
                    .dictionary = nullptr,
                    .release = release_array,
                    .private_data = exported.release()};
}

}  // namespace

void export_schema(const Field& field, ArrowSchema* out) {
  if (!field.type) {
    throw SchemaError(fmt::format("cannot export field '{}' without a type", field.name));
  }
  fill_schema(field, out);
}

void export_array(const ArrayPtr& array, ArrowArray* out) {
  if (!array) throw SchemaError("cannot export a missing array");
  fill_array(array, out);
}

void export_array(const ArrayPtr& array, const Field& field, ArrowArray* out_array,
                  ArrowSchema* out_schema) {
  if (!array) throw SchemaError("cannot export a missing array");
  if (!same_type(field.type, array->type())) {
    throw SchemaError(
        fmt::format("field '{}' of type {} does not describe an array of type {}", field.name,
                    field.type ? field.type->to_string() : "none", array->type()->to_string()),
        {.column = field.name});
  }
  ArrowSchema schema{};
  fill_schema(field, &schema);
  try {
    fill_array(array, out_array);
  } catch (...) {
    schema.release(&schema);
    throw;
  }
  *out_schema = schema;
}

void export_frame(const Frame& frame, ArrowArray* out_array, ArrowSchema* out_schema) {
  export_array(frame.to_struct_array(), Field{"", frame.schema(), false}, out_array, out_schema);
}

}  // namespace crv::frame
