// libFuzzer target: manifest.json (repo::parse_manifest), read from the repository, which may
// be object storage someone else can write. Format 2 manifests carry a SHA-256 of their own
// text, so nearly every mutation would stop at the checksum check; each input is therefore
// parsed twice: as it is (the checksum check itself), and re-sealed with seal_manifest() so the
// field parser beneath the check sees every mutation. An accepted manifest must serialize and
// parse back to the same text.

#include "dbkeep/repo/manifest.hpp"
#include "fuzz_check.hpp"

namespace {

using dbkeep::fuzz::check;

void check_round_trip(const dbkeep::Result<dbkeep::repo::Manifest>& manifest) {
  if (!manifest) {
    check(!manifest.error().message.empty(), "a refused manifest has a message");
    return;
  }
  const std::string text = dbkeep::repo::serialize_manifest(*manifest);
  auto again = dbkeep::repo::parse_manifest(text, "round trip");
  check(again.has_value(), "a serialized manifest parses");
  check(dbkeep::repo::serialize_manifest(*again) == text, "a manifest round-trips unchanged");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = dbkeep::fuzz::as_text(data, size);
  check_round_trip(dbkeep::repo::parse_manifest(text, "fuzz"));

  // Sealing prints the document, recursively: only as deep as parse_manifest accepts.
  bool too_deep = false;
  auto depth_limit = [&too_deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    too_deep = too_deep || depth > 64;
    return !too_deep;
  };
  auto document = nlohmann::json::parse(text, depth_limit, /*allow_exceptions=*/false);
  if (too_deep || document.is_discarded() || !document.is_object()) return 0;
  check_round_trip(dbkeep::repo::parse_manifest(dbkeep::repo::seal_manifest(document), "sealed"));
  return 0;
}
