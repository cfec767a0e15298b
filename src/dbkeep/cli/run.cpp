#include "dbkeep/cli/run.hpp"

namespace dbkeep::cli {

int run(int, char**) { return 0; }

}  // namespace dbkeep::cli
