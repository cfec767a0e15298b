#pragma once
// The command-line front end: parses global flags, dispatches to one command, turns any Error
// into one message on stderr and the exit code of its kind.

namespace dbkeep::cli {

int run(int argc, char** argv);

}  // namespace dbkeep::cli
