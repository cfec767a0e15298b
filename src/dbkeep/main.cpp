// dbkeep entry point: everything lives in dbkeep_lib; this only hands over to the CLI.
#include "dbkeep/cli/run.hpp"

int main(int argc, char** argv) { return dbkeep::cli::run(argc, argv); }
