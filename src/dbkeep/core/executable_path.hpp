#pragma once
// Finding a program the way execvp would: a name containing '/' is taken as it is, any other
// name is looked up in the directories of PATH.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dbkeep::core {

// The directories of $PATH in order (the usual default when it is unset), empty entries dropped.
std::vector<std::filesystem::path> search_path();

// The executable file `name` resolves to, or nothing when none is found.
std::optional<std::filesystem::path> find_executable(const std::string& name);

}  // namespace dbkeep::core
