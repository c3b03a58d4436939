#pragma once
// The conformance fixtures: frames that crv-io writes as Parquet for other engines to
// read. They cover the 8 canonical tables (from the synthetic run), the edge cases of
// every type and nesting, a long run of nested decisions, a million flat rows, and the
// edge cases and a mix of layouts again with each value encoding forced; the larger ones
// span several row groups of many pages each.

#include <functional>
#include <string>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/frame/types.hpp"
#include "crv/parquet/writer.hpp"

namespace crv::conformance {

struct Fixture {
  frame::Frame frame;
  std::vector<frame::Field> fields;
  // The table name stored as crv_table_name.
  std::string table;
  // Everything but the codec, which each fixture file sets.
  parquet::WriterOptions options;
};

struct FixtureSpec {
  std::string name;
  std::vector<parquet::Compression> codecs;
  // Large fixtures are checked less often: every engine once, one reverse write.
  bool large = false;
  std::function<Fixture()> make;
};

inline constexpr std::string_view kRunId = "conformance-run";

// Every fixture, small ones first.
std::vector<FixtureSpec> fixture_specs();

}  // namespace crv::conformance
