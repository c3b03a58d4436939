// Recognising the leftovers of interrupted writes in a table's folder.

#include "io/table_folder.hpp"

namespace crv::io {

bool is_temporary_file_name(std::string_view name) {
  return name.ends_with(".tmp") || name.find(".tmp-") != std::string_view::npos;
}

}  // namespace crv::io
