#pragma once
// A small, strict argument reader. Options are consumed as commands ask for them; whatever is
// left that looks like an option is an error, so a typo never silently does nothing.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::cli {

class Arguments {
 public:
  Arguments() = default;
  explicit Arguments(std::vector<std::string> args) : args_(std::move(args)) {}

  // Consumes "--name"; true if it was there.
  bool flag(std::string_view name);
  // Consumes "--name VALUE" or "--name=VALUE".
  Result<std::optional<std::string>> option(std::string_view name);
  // Consumes and returns the remaining arguments that are not options.
  std::vector<std::string> positionals();
  // Error for anything left over, naming the command for the hint.
  Result<void> expect_empty(std::string_view command) const;
  [[nodiscard]] bool empty() const { return args_.empty(); }

 private:
  std::vector<std::string> args_;
};

}  // namespace dbkeep::cli
