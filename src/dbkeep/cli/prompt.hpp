#pragma once
// Questions on a terminal for `dbkeep init --interactive`: each shows its default in brackets,
// an empty answer takes it, an invalid answer is explained and asked again (three times).
// Answers are read line by line from `in`, so tests (and scripts) can pipe them in.

#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::cli {

class Prompter {
 public:
  Prompter(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  // Returns the problem with an answer, or "" when it is acceptable.
  using Check = std::function<std::string(const std::string&)>;

  // A kUsage error when input ends or three answers in a row are refused.
  Result<std::string> ask(const std::string& question, const std::string& fallback,
                          const Check& check = {});
  Result<int> ask_number(const std::string& question, int fallback, int minimum);
  Result<std::string> choose(const std::string& question, const std::vector<std::string>& choices,
                             const std::string& fallback);

 private:
  std::istream& in_;
  std::ostream& out_;
};

}  // namespace dbkeep::cli
