#pragma once
// A struct column fed from a Parquet MAP: each row's keys become the struct's member
// names and its values their values, the way a `token_value_estimates` map of token ids
// to estimates reads as a record of estimates by token id.

#include <string>

#include "crv/frame/array.hpp"

namespace crv::io {

// Whether `array` has the type a Parquet MAP column reads as: a list of `entries` structs
// holding a `key` and a `value` (see crv/parquet/reader.hpp).
bool holds_map_entries(const frame::Array& array);

// The maps of `array` (holds_map_entries) as a struct array with one member per key, in
// the order keys first appear; a row lacking a key has that member null, and a null map
// is a null struct. IoSchemaError naming `column`, the row and the key for a key that is
// not a non-empty string or that a row repeats.
frame::ArrayPtr map_entries_to_struct(const std::string& column, const frame::Array& array);

}  // namespace crv::io
