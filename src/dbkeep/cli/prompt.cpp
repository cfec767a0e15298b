#include "dbkeep/cli/prompt.hpp"

#include <algorithm>
#include <charconv>

#include "dbkeep/core/text.hpp"

namespace dbkeep::cli {

Result<std::string> Prompter::ask(const std::string& question, const std::string& fallback,
                                  const Check& check) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    out_ << question << (fallback.empty() ? "" : " [" + fallback + "]") << ": " << std::flush;
    std::string line;
    if (!std::getline(in_, line)) {
      out_ << "\n";
      return usage_error("no answer to \"" + question + "\" (input ended); nothing was written");
    }
    std::string answer = core::trim(line);
    if (answer.empty()) answer = fallback;
    std::string problem = answer.empty() ? "an answer is needed" : check ? check(answer) : "";
    if (problem.empty()) return answer;
    out_ << "  " << problem << "\n";
  }
  return usage_error("no acceptable answer to \"" + question + "\"; nothing was written");
}

Result<int> Prompter::ask_number(const std::string& question, int fallback, int minimum) {
  TRY_ASSIGN(auto answer,
             ask(question, std::to_string(fallback), [minimum](const std::string& text) {
               int value = 0;
               auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
               if (error != std::errc{} || end != text.data() + text.size() || value < minimum) {
                 return "a whole number of at least " + std::to_string(minimum) + ", please";
               }
               return std::string();
             }));
  return std::stoi(answer);
}

Result<std::string> Prompter::choose(const std::string& question,
                                     const std::vector<std::string>& choices,
                                     const std::string& fallback) {
  std::string listed;
  for (const auto& choice : choices) listed += (listed.empty() ? "" : "/") + choice;
  return ask(question + " (" + listed + ")", fallback, [&](const std::string& answer) {
    return std::ranges::find(choices, answer) != choices.end() ? std::string()
                                                               : "one of " + listed + ", please";
  });
}

}  // namespace dbkeep::cli
