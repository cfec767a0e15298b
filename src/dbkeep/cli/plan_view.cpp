#include "dbkeep/cli/plan_view.hpp"

namespace dbkeep::cli {

std::string plan_text(const backup::BackupPlan& plan) {
  std::string text = "set '" + plan.set + "' (" + plan.summary + ")\n";
  constexpr std::size_t kLabelWidth = 11;
  for (const auto& line : plan.lines) {
    for (std::size_t i = 0; i < line.text.size(); ++i) {
      std::string label = i == 0 ? line.label : "";
      label.resize(kLabelWidth, ' ');
      text += "  " + label + line.text[i] + "\n";
    }
  }
  for (const auto& problem : plan.problems) text += "  WOULD FAIL " + problem + "\n";
  return text;
}

nlohmann::json plan_json(const backup::BackupPlan& plan) {
  nlohmann::json json = {{"set", plan.set}, {"summary", plan.summary}};
  for (const auto& line : plan.lines) json[line.label] = line.text;
  json["problems"] = plan.problems;
  json["would_succeed"] = plan.problems.empty();
  return json;
}

}  // namespace dbkeep::cli
