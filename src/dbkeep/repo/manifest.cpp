#include "dbkeep/repo/manifest.hpp"

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/core/sha256.hpp"

namespace dbkeep::repo {
namespace {

using nlohmann::json;

Result<pipeline::Codec> codec_from(const std::string& name, const std::string& where) {
  auto codec = pipeline::parse_codec(name);
  if (!codec) return fail(where + ": unknown codec '" + name + "'", ErrorKind::kVerification);
  return *codec;
}

Result<core::Seconds> time_from(const json& value, const std::string& where) {
  auto parsed = core::parse_iso_utc(value.get<std::string>());
  if (!parsed) return fail(where + ": bad timestamp " + value.dump(), ErrorKind::kVerification);
  return *parsed;
}

// The checksum is the SHA-256 of the manifest's exact text with its own value replaced by 64
// zeros: a change to any byte (whitespace included) is caught, and no canonical form is needed.
constexpr std::string_view kChecksumKey = "checksum";

std::string checksum_field(std::string_view value) {
  return "\"" + std::string(kChecksumKey) + "\": \"" + std::string(value) + "\"";
}

std::string text_sha256(std::string_view text) {
  return core::sha256_hex(std::as_bytes(std::span(text.data(), text.size())));
}

Result<void> check_checksum(std::string_view text, const json& document, const std::string& where) {
  int format = document.value("format", 0);
  if (!document.contains(kChecksumKey)) {
    if (format < 2) return {};  // written before manifests carried a checksum
    return fail(where + ": manifest has no checksum (damaged)", ErrorKind::kVerification);
  }
  const json& value = document.at(kChecksumKey);
  std::string field = checksum_field(value.is_string() ? value.get<std::string>() : value.dump());
  auto at = text.find(field);
  if (!value.is_string() || at == std::string_view::npos) {
    return fail(where + ": manifest checksum field is malformed (damaged)",
                ErrorKind::kVerification);
  }
  std::string blanked(text);
  blanked.replace(at, field.size(), checksum_field(std::string(64, '0')));
  if (text_sha256(blanked) != value.get<std::string>()) {
    return fail(where + ": manifest does not match its checksum (damaged or edited)",
                ErrorKind::kVerification);
  }
  return {};
}

}  // namespace

std::uint64_t Manifest::total_size() const {
  std::uint64_t total = 0;
  for (const auto& file : files) total += file.stored.size;
  return total;
}

std::uint64_t Manifest::total_stored_size() const {
  std::uint64_t total = 0;
  for (const auto& file : files) total += file.stored.stored_size;
  return total;
}

json manifest_to_json(const Manifest& manifest) {
  json files = json::array();
  for (const auto& file : manifest.files) {
    json entry = {{"path", file.stored.path},
                  {"stored_key", file.stored.stored_key},
                  {"size", file.stored.size},
                  {"stored_size", file.stored.stored_size},
                  {"codec", pipeline::codec_name(file.stored.codec)}};
    // Each digest that is known: a re-written format-2 manifest keeps its plaintext digest.
    if (!file.stored.stored_sha256.empty()) entry["stored_sha256"] = file.stored.stored_sha256;
    if (!file.stored.plaintext_sha256.empty()) entry["sha256"] = file.stored.plaintext_sha256;
    if (file.stored.encrypted) entry["encryption"] = "xchacha20poly1305-secretstream";
    if (!file.attributes.empty()) entry["attributes"] = file.attributes;
    files.push_back(std::move(entry));
  }
  json out = {{"format", manifest.format},
              {"id", manifest.id},
              {"set", manifest.set},
              {"source", core::to_string(manifest.source)},
              {"method", core::to_string(manifest.method)},
              {"tool", {{"name", "dbkeep"}, {"version", manifest.tool_version}}},
              {"host", manifest.host},
              {"started_at", core::format_iso_utc(manifest.started_at)},
              {"finished_at", core::format_iso_utc(manifest.finished_at)},
              {"duration_ms", manifest.duration_ms},
              {"status", "complete"},
              {"totals",
               {{"files", manifest.files.size()},
                {"size", manifest.total_size()},
                {"stored_size", manifest.total_stored_size()}}},
              {"files", std::move(files)},
              {"facts", manifest.facts}};
  if (manifest.depends_on) out["depends_on"] = *manifest.depends_on;
  return out;
}

std::string seal_manifest(json document) {
  std::string zeros(64, '0');
  document[kChecksumKey] = zeros;
  std::string text = document.dump(2) + "\n";
  std::string digest = text_sha256(text);
  text.replace(text.find(checksum_field(zeros)), checksum_field(zeros).size(),
               checksum_field(digest));
  return text;
}

std::string serialize_manifest(const Manifest& manifest) {
  return seal_manifest(manifest_to_json(manifest));
}

namespace {

// A manifest names its source and method; the method must be one this dbkeep knows and must
// belong to the source.
Result<core::Method> method_from(const std::string& source, const std::string& method,
                                 const std::string& where) {
  auto parsed = core::parse_method(method);
  if (!parsed || core::to_string(core::method_traits(*parsed).source) != source) {
    return fail(where + ": manifest names an unknown source/method \"" + source + "/" + method +
                    "\" (damaged, or written by a newer dbkeep)",
                ErrorKind::kVerification);
  }
  return *parsed;
}

}  // namespace

Result<Manifest> parse_manifest(std::string_view text, const std::string& where) {
  // A few hundred kilobytes of "[[[[…" overflowed the stack before (core/bounded_json.hpp).
  auto parsed = core::parse_bounded_json(text);
  if (!parsed && parsed.error() == core::JsonProblem::kTooDeep) {
    return fail(where + ": manifest " + core::describe(parsed.error()) + " (damaged)",
                ErrorKind::kVerification);
  }
  if (!parsed || !parsed->is_object()) {
    return fail(where + ": manifest is not valid JSON", ErrorKind::kVerification);
  }
  json& document = *parsed;
  try {
    TRY(check_checksum(text, document, where));
    Manifest manifest;
    manifest.format = document.at("format").get<int>();
    if (manifest.format > kManifestFormat) {
      return fail(where + ": manifest format " + std::to_string(manifest.format) +
                  " is newer than this dbkeep understands (" + std::to_string(kManifestFormat) +
                  "); upgrade dbkeep");
    }
    manifest.id = document.at("id").get<std::string>();
    manifest.set = document.at("set").get<std::string>();
    TRY_ASSIGN(manifest.method, method_from(document.at("source").get<std::string>(),
                                            document.at("method").get<std::string>(), where));
    manifest.source = core::method_traits(manifest.method).source;
    manifest.tool_version = document.at("tool").at("version").get<std::string>();
    manifest.host = document.value("host", "");
    TRY_ASSIGN(manifest.started_at, time_from(document.at("started_at"), where));
    TRY_ASSIGN(manifest.finished_at, time_from(document.at("finished_at"), where));
    manifest.duration_ms = document.value("duration_ms", std::int64_t{0});
    if (document.contains("depends_on")) {
      manifest.depends_on = document.at("depends_on").get<std::string>();
    }
    for (const auto& entry : document.at("files")) {
      ManifestFile file;
      file.stored.path = entry.at("path").get<std::string>();
      file.stored.stored_key = entry.at("stored_key").get<std::string>();
      file.stored.size = entry.at("size").get<std::uint64_t>();
      file.stored.stored_size = entry.at("stored_size").get<std::uint64_t>();
      file.stored.stored_sha256 = entry.value("stored_sha256", "");
      file.stored.plaintext_sha256 = entry.value("sha256", "");
      if (file.stored.stored_sha256.empty() && file.stored.plaintext_sha256.empty()) {
        return fail(where + ": file " + file.stored.path + " has no checksum (damaged)",
                    ErrorKind::kVerification);
      }
      TRY_ASSIGN(file.stored.codec, codec_from(entry.at("codec").get<std::string>(), where));
      file.stored.encrypted = entry.contains("encryption");
      if (entry.contains("attributes")) file.attributes = entry.at("attributes");
      manifest.files.push_back(std::move(file));
    }
    manifest.facts = document.value("facts", json::object());
    return manifest;
  } catch (const json::exception& problem) {
    return fail(where + ": manifest is missing or has a malformed field (" +
                    std::string(problem.what()) + ")",
                ErrorKind::kVerification);
  }
}

}  // namespace dbkeep::repo
