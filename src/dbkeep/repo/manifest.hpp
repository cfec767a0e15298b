#pragma once
// manifest.json: the record that makes a backup exist. Written last; a backup directory
// without one is an incomplete backup. The fields are documented in docs/manifest.md; readers
// refuse versions newer than they know. From format 2 on the text carries a SHA-256 of itself
// ("checksum"), so any changed byte — not only those in the data objects — fails to parse.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/method.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/pipeline/store.hpp"

namespace dbkeep::repo {

// 3: files carry `stored_sha256` (of the codec's output) instead of `sha256` (of the plaintext).
// 2: the manifest carries `checksum`, the SHA-256 of its own text.
inline constexpr int kManifestFormat = 3;

struct ManifestFile {
  pipeline::StoredFile stored;
  nlohmann::json attributes = nlohmann::json::object();  // source-specific (table, rows, …)

  // The attribute `key` when it is a string, else "".
  [[nodiscard]] std::string string_attribute(const char* key) const {
    auto found = attributes.find(key);
    return found != attributes.end() && found->is_string() ? found->get<std::string>() : "";
  }
};

struct Manifest {
  int format = kManifestFormat;
  std::string id;
  std::string set;
  core::SourceKind source = core::SourceKind::kSqlite;  // always method_traits(method).source
  core::Method method = core::Method::kOnline;
  std::string tool_version;
  std::string host;
  core::Seconds started_at{};
  core::Seconds finished_at{};
  std::int64_t duration_ms = 0;
  std::optional<std::string> depends_on;  // the backup an incremental needs
  std::vector<ManifestFile> files;
  nlohmann::json facts = nlohmann::json::object();  // source-specific (positions, lock time…)

  [[nodiscard]] std::uint64_t total_size() const;
  [[nodiscard]] std::uint64_t total_stored_size() const;
};

nlohmann::json manifest_to_json(const Manifest& manifest);
std::string serialize_manifest(const Manifest& manifest);
// The text of `document` with its "checksum" field set (pretty-printed, as serialize_manifest
// writes it). Tests use it to re-seal a manifest they edit on purpose.
std::string seal_manifest(nlohmann::json document);
// `where` names the object in errors. Malformed content is a kVerification error.
Result<Manifest> parse_manifest(std::string_view text, const std::string& where);

}  // namespace dbkeep::repo
