// The `crvio` executable: hands its arguments to crv::cli::run.

#include "crv/cli/main.hpp"

int main(int argc, char** argv) {
  return crv::cli::run(argc, argv);
}
