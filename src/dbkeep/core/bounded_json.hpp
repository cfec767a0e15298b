#pragma once
// Parsing JSON that dbkeep did not build in memory this run: manifests, key slots, the
// repository marker and drill records (read from storage that may be damaged or hostile) and the
// state files (run records, daemon state, resource journal).
//
// nlohmann::json copies and destroys values recursively, so a document nested a few hundred
// thousand levels deep overflows the stack when it is built (fuzz_manifest found this). Such a
// document is refused before it is built: no file dbkeep writes nests more than a few levels.

#include <expected>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dbkeep::core {

inline constexpr int kMaxJsonDepth = 64;

enum class JsonProblem { kInvalid, kTooDeep };

// "is not valid JSON" or "nests deeper than 64 levels": completes "<what> …".
inline std::string describe(JsonProblem problem) {
  return problem == JsonProblem::kTooDeep
             ? "nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"
             : std::string("is not valid JSON");
}

inline std::expected<nlohmann::json, JsonProblem> parse_bounded_json(std::string_view text) {
  bool too_deep = false;
  auto depth_limit = [&too_deep](int depth, nlohmann::json::parse_event_t /*event*/,
                                 nlohmann::json& /*parsed*/) {
    if (depth >= kMaxJsonDepth) too_deep = true;  // depth counts from 0 at the top level
    return !too_deep;  // keep nothing once the limit is crossed
  };
  auto document = nlohmann::json::parse(text, depth_limit, /*allow_exceptions=*/false);
  if (too_deep) return std::unexpected(JsonProblem::kTooDeep);
  if (document.is_discarded()) return std::unexpected(JsonProblem::kInvalid);
  return document;
}

}  // namespace dbkeep::core
