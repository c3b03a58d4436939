#pragma once
// Entry point of the `crvio` command line.

namespace crv::cli {

// Exit codes: one per outcome so scripts can tell failures apart.
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,  // a bug or an unexpected system failure
  kExitUsage = 2,     // bad flags or arguments
  kExitGrammar = 3,   // GrammarError: bad table name, run id, column name
  kExitSchema = 4,    // SchemaError: a core row rule broken
  kExitConfig = 5,    // IoConfigError: invalid setting
  kExitIoSchema = 6,  // IoSchemaError: data does not fit the table
  kExitWrite = 7,     // IoWriteError: part write, flush or rename failed
  kExitManifest = 8,  // IoManifestError: manifest missing, corrupt or unwritable
  kExitFormat = 9,    // IoFormatError: a file is not valid Parquet
  kExitIo = 10,       // any other IoError
  // fsck found problems that are still there (after --repair: those it cannot fix)
  kExitFsckFindings = 11,
};

// Runs the command line; returns the process exit code.
int run(int argc, char** argv);

}  // namespace crv::cli
