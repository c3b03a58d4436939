// A simulation loop appending one tick at a time to a canonical table, then reading a
// part back. Build: part of the project's CMake build; run: example_append_ticks OUT_DIR.

#include <cstdio>
#include <string>

#include "crv/frame/builders.hpp"
#include "crv/io/dataset.hpp"
#include "crv/parquet/reader.hpp"

int main(int argc, char** argv) {
  crv::io::IoSettings settings = crv::io::IoSettings::load();  // env > crv.toml > defaults
  if (argc > 1) settings.root_dir = argv[1];
  settings.tick_bucket_size = 10;

  crv::io::Dataset dataset(settings, "example-run");
  for (int64_t tick = 0; tick < 25; ++tick) {
    // Three agents report their holdings every tick.
    const crv::frame::Frame rows({
        {"tick", crv::frame::make_int64(std::vector<int64_t>{tick, tick, tick})},
        {"agent_id",
         crv::frame::make_utf8(std::vector<std::string>{"agent-1", "agent-2", "agent-3"})},
        {"token_id", crv::frame::make_utf8(std::vector<std::string>{"gold", "gold", "silver"})},
        {"quantity", crv::frame::make_int64(std::vector<int64_t>{tick, 2 * tick, 100 - tick})},
    });
    dataset.append("holdings", rows);
  }

  const crv::io::AppendSummary last = dataset.append(
      "holdings",
      crv::frame::Frame({{"tick", crv::frame::make_int64(std::vector<int64_t>{25})},
                         {"agent_id", crv::frame::make_utf8({"agent-1"})},
                         {"token_id", crv::frame::make_utf8({"gold"})},
                         {"quantity", crv::frame::make_int64(std::vector<int64_t>{7})}}));
  std::printf("%s\n", last.to_json().c_str());

  auto reader = crv::parquet::ParquetReader::open(last.parts.front().path);
  const crv::frame::Frame back = reader.read();
  std::printf("read %lld row(s) of table %s back from %s\n",
              static_cast<long long>(back.num_rows()),
              reader.info().metadata("crv_table_name").value_or("?").c_str(),
              last.parts.front().path.c_str());
  return back.num_rows() == 1 ? 0 : 1;
}
