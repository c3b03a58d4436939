// End-to-end tests of `crvio tables`: one line per table, or every descriptor as JSON.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {
namespace {

using testing::run_crvio;

TEST(CliTables, ListsEveryTableWithItsColumnCount) {
  const auto result = run_crvio({"tables"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  for (const core::TableDescriptor& table : core::list_tables()) {
    EXPECT_NE(result.out.find(std::string(core::to_string(table.name))), std::string::npos);
  }
  EXPECT_NE(result.out.find("identity_edges       10 columns"), std::string::npos) << result.out;
}

TEST(CliTables, JsonMatchesTheDescriptors) {
  const auto result = run_crvio({"tables", "--json"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json.size(), core::list_tables().size());
  for (size_t i = 0; i < json.size(); ++i) {
    const core::TableDescriptor& table = core::list_tables()[i];
    EXPECT_EQ(json[i]["table"], core::to_string(table.name));
    EXPECT_EQ(json[i]["version"], "0.1@2025-09-20");
    EXPECT_EQ(json[i]["partitioning"], nlohmann::json::array({"bucket"}));
    ASSERT_EQ(json[i]["columns"].size(), table.columns.size());
    for (size_t c = 0; c < table.columns.size(); ++c) {
      EXPECT_EQ(json[i]["columns"][c]["name"], table.columns[c].name);
      EXPECT_EQ(json[i]["columns"][c]["dtype"], core::to_string(table.columns[c].dtype));
      EXPECT_EQ(json[i]["columns"][c]["required"], table.columns[c].required);
      EXPECT_EQ(json[i]["columns"][c]["nullable"], !table.columns[c].required);
    }
  }
}

}  // namespace
}  // namespace crv::cli
