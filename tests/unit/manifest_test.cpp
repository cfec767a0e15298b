#include "dbkeep/repo/manifest.hpp"

#include <gtest/gtest.h>

namespace dbkeep::repo {
namespace {

Manifest sample() {
  Manifest manifest;
  manifest.id = "20261121_020000";
  manifest.set = "main";
  manifest.source = core::SourceKind::kSqlite;
  manifest.method = core::Method::kOnline;
  manifest.tool_version = "0.1.0";
  manifest.host = "db1";
  manifest.started_at = *core::parse_iso_utc("2026-11-21T02:00:00Z");
  manifest.finished_at = *core::parse_iso_utc("2026-11-21T02:00:07Z");
  manifest.duration_ms = 7123;
  manifest.depends_on = "20261120_020000";
  manifest.files.push_back(
      {pipeline::StoredFile{.path = "app.db",
                            .stored_key = "main/20261121_020000/data/app.db.zst",
                            .size = 4096,
                            .stored_size = 1200,
                            .stored_sha256 = std::string(64, 'a'),
                            .codec = pipeline::Codec::kZstd},
       {{"kind", "sqlite-database"}}});
  manifest.files.push_back({pipeline::StoredFile{.path = "empty",
                                                 .stored_key = "main/20261121_020000/data/empty",
                                                 .size = 0,
                                                 .stored_size = 0,
                                                 .stored_sha256 = std::string(64, 'b'),
                                                 .codec = pipeline::Codec::kNone},
                            nlohmann::json::object()});
  manifest.facts = {{"journal_mode", "wal"}, {"tables", {{"t", 10}}}};
  return manifest;
}

TEST(ManifestTest, RoundTripKeepsEveryField) {
  Manifest original = sample();
  auto parsed = parse_manifest(serialize_manifest(original), "m");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->id, original.id);
  EXPECT_EQ(parsed->set, original.set);
  EXPECT_EQ(parsed->source, original.source);
  EXPECT_EQ(parsed->method, original.method);
  EXPECT_EQ(parsed->host, "db1");
  EXPECT_EQ(parsed->started_at, original.started_at);
  EXPECT_EQ(parsed->finished_at, original.finished_at);
  EXPECT_EQ(parsed->duration_ms, 7123);
  EXPECT_EQ(parsed->depends_on, "20261120_020000");
  ASSERT_EQ(parsed->files.size(), 2U);
  EXPECT_EQ(parsed->files[0].stored.stored_key, "main/20261121_020000/data/app.db.zst");
  EXPECT_EQ(parsed->files[0].stored.size, 4096U);
  EXPECT_EQ(parsed->files[0].stored.stored_size, 1200U);
  EXPECT_EQ(parsed->files[0].stored.codec, pipeline::Codec::kZstd);
  EXPECT_EQ(parsed->files[0].stored.stored_sha256, std::string(64, 'a'));
  EXPECT_TRUE(parsed->files[0].stored.plaintext_sha256.empty());
  EXPECT_EQ(parsed->files[0].attributes["kind"], "sqlite-database");
  EXPECT_EQ(parsed->files[1].stored.codec, pipeline::Codec::kNone);
  EXPECT_EQ(parsed->facts["tables"]["t"], 10);
  EXPECT_EQ(parsed->total_size(), 4096U);
  EXPECT_EQ(parsed->total_stored_size(), 1200U);
}

TEST(ManifestTest, JsonCarriesTotalsAndTimesInUtc) {
  auto json = manifest_to_json(sample());
  EXPECT_EQ(json["format"], kManifestFormat);
  EXPECT_EQ(json["started_at"], "2026-11-21T02:00:00Z");
  EXPECT_EQ(json["totals"]["files"], 2);
  EXPECT_EQ(json["totals"]["stored_size"], 1200);
  EXPECT_EQ(json["status"], "complete");
}

// Format 2 recorded the plaintext's SHA-256 under `sha256`; such manifests stay readable and keep
// that digest (fetch then checks the plaintext), and one written back keeps it too.
TEST(ManifestTest, Format2PlaintextDigestIsReadAndKept) {
  auto json = manifest_to_json(sample());
  json["format"] = 2;
  for (auto& file : json["files"]) {
    file.erase("stored_sha256");
    file["sha256"] = std::string(64, 'c');
  }
  auto parsed = parse_manifest(seal_manifest(json), "m");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->format, 2);
  EXPECT_EQ(parsed->files[0].stored.plaintext_sha256, std::string(64, 'c'));
  EXPECT_TRUE(parsed->files[0].stored.stored_sha256.empty());
  auto again = manifest_to_json(*parsed);
  EXPECT_EQ(again["files"][0]["sha256"], std::string(64, 'c'));
  EXPECT_FALSE(again["files"][0].contains("stored_sha256"));
}

TEST(ManifestTest, FileWithoutAnyDigestIsRefused) {
  auto json = manifest_to_json(sample());
  json["files"][1].erase("stored_sha256");
  auto parsed = parse_manifest(seal_manifest(json), "main/x/manifest.json");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, ErrorKind::kVerification);
  EXPECT_NE(parsed.error().message.find("empty has no checksum"), std::string::npos)
      << parsed.error().message;
}

TEST(ManifestTest, DamagedManifestsAreVerificationErrors) {
  std::string text = serialize_manifest(sample());
  auto truncated = parse_manifest(text.substr(0, text.size() / 2), "main/x/manifest.json");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().kind, ErrorKind::kVerification);
  EXPECT_NE(truncated.error().message.find("main/x/manifest.json"), std::string::npos);

  auto json = manifest_to_json(sample());
  json.erase("files");
  auto missing = parse_manifest(json.dump(), "m");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kVerification);

  json = manifest_to_json(sample());
  json["files"][0]["codec"] = "lz4";
  EXPECT_FALSE(parse_manifest(json.dump(), "m"));
}

// Every single-byte change anywhere in the text — a value, a key, whitespace, the checksum
// itself — is refused as damage, never read as a different but valid manifest.
TEST(ManifestTest, AnyChangedByteFailsTheChecksum) {
  std::string text = serialize_manifest(sample());
  ASSERT_TRUE(parse_manifest(text, "m"));
  for (std::size_t at = 0; at < text.size(); ++at) {
    std::string damaged = text;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    auto parsed = parse_manifest(damaged, "m");
    ASSERT_FALSE(parsed) << "byte " << at << " changed unnoticed";
    EXPECT_EQ(parsed.error().kind, ErrorKind::kVerification) << parsed.error().message;
  }
}

TEST(ManifestTest, EditedAndResealedManifestParses) {
  auto json = nlohmann::json::parse(serialize_manifest(sample()));
  json["host"] = "db2";
  auto parsed = parse_manifest(seal_manifest(json), "m");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->host, "db2");
}

TEST(ManifestTest, Format1WithoutChecksumIsStillRead) {
  auto json = manifest_to_json(sample());
  json["format"] = 1;
  EXPECT_TRUE(parse_manifest(json.dump(2), "m"));
  json["format"] = 2;
  EXPECT_FALSE(parse_manifest(json.dump(2), "m"));
}

TEST(ManifestTest, NewerFormatIsRefusedWithAnUpgradeHint) {
  auto json = manifest_to_json(sample());
  json["format"] = 99;
  auto parsed = parse_manifest(seal_manifest(json), "m");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("upgrade dbkeep"), std::string::npos);
}

// Found by tests/fuzz/fuzz_manifest: nlohmann::json copies recursively, so a manifest whose
// facts nested a few hundred thousand levels ("[[[[…") overflowed the stack of `dbkeep list`
// (SIGSEGV). Anyone who can write the repository can write one (format 1 has no checksum, and
// the checksum of format 2 is no secret).
TEST(ManifestTest, DeepNestingIsRefusedNotACrash) {
  const std::size_t depth = 300000;
  auto format1 = manifest_to_json(sample());  // no checksum to get past
  format1["format"] = 1;
  std::string text = format1.dump(2);
  const std::string facts = "\"facts\": {";
  text.insert(text.find(facts) + facts.size(),
              "\"deep\": " + std::string(depth, '[') + std::string(depth, ']') + ",");
  auto parsed = parse_manifest(text, "m");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, ErrorKind::kVerification);
  EXPECT_NE(parsed.error().message.find("nests deeper than"), std::string::npos)
      << parsed.error().message;

  auto shallow = manifest_to_json(sample());
  shallow["facts"]["deep"] = nlohmann::json::parse(std::string(30, '[') + std::string(30, ']'));
  EXPECT_TRUE(parse_manifest(seal_manifest(shallow), "m"));
}

}  // namespace
}  // namespace dbkeep::repo
