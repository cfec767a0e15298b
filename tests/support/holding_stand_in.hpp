#pragma once
// A stand-in for a system tool (btrfs, lvs…), put first in PATH, that catches dbkeep at one
// moment of a run so a test can kill it there: it runs the real tool with its arguments, then,
// when the shell condition `when` holds (it sees the tool's arguments as "$@"), touches `held`
// and waits until `release` exists (two minutes at most); it exits with the tool's status.
//
//   write_holding_stand_in(bin, "lvs", "[ \"${*#*data_percent}\" != \"$*\" ]", held, release);
//   spawn dbkeep with PATH=bin:$PATH, wait for `held`, kill it, then create `release`.

#include <filesystem>
#include <string>

namespace dbkeep::test {

void write_holding_stand_in(const std::filesystem::path& bin_dir, const std::string& tool,
                            const std::string& when, const std::filesystem::path& held,
                            const std::filesystem::path& release);

}  // namespace dbkeep::test
