// The `crvio` entry point: registers every verb and maps error classes to exit codes.

#include "crv/cli/main.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <new>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "crv/core/errors.hpp"
#include "crv/version.hpp"

namespace crv::cli {
namespace {

int exit_code_for(const Error& error) {
  if (dynamic_cast<const GrammarError*>(&error)) return kExitGrammar;
  if (dynamic_cast<const SchemaError*>(&error)) return kExitSchema;
  if (dynamic_cast<const IoConfigError*>(&error)) return kExitConfig;
  if (dynamic_cast<const IoSchemaError*>(&error)) return kExitIoSchema;
  if (dynamic_cast<const IoWriteError*>(&error)) return kExitWrite;
  if (dynamic_cast<const IoManifestError*>(&error)) return kExitManifest;
  if (dynamic_cast<const IoFormatError*>(&error)) return kExitFormat;
  if (dynamic_cast<const IoError*>(&error)) return kExitIo;
  return kExitInternal;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"crvio: append-only, bucket-partitioned Parquet tables for CRV simulations"};
  app.set_version_flag("--version", fmt::format("{} {}", kLibraryName, kLibraryVersion));
  app.require_subcommand(1);
  add_verbosity_flags(app);
  add_tables_command(app);
  add_schema_command(app);
  add_append_command(app);
  add_read_command(app);
  add_manifest_command(app);
  add_log_command(app);
  add_rewind_command(app);
  add_rebuild_manifest_command(app);
  add_compact_command(app);
  add_export_command(app);
  add_bundle_command(app);
  add_fsck_command(app);
  add_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 reports --help and --version as "errors" with exit code 0, and a verb that
    // ends with its own exit code (fsck's findings) throws CLI::RuntimeError carrying it.
    const int code = app.exit(error);
    if (dynamic_cast<const CLI::RuntimeError*>(&error) != nullptr) return code;
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const Error& error) {
    std::fprintf(stderr, "crvio: %s: %s\n", error.kind(), error.what());
    return exit_code_for(error);
  } catch (const std::bad_alloc&) {
    // Input too large for the memory at hand (a huge line or batch) is not a bug.
    std::fputs("crvio: out of memory (for crvio append, a smaller --batch-rows needs less)\n",
               stderr);
    return kExitIo;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "crvio: internal error: %s\n", error.what());
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace crv::cli
