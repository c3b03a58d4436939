#include "crv/cli/main.hpp"

int main(int argc, char** argv) {
  return crv::cli::run(argc, argv);
}
