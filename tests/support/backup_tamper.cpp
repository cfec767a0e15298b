#include "support/backup_tamper.hpp"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/storage/local_backend.hpp"

namespace dbkeep::test {
namespace fs = std::filesystem;
namespace {

fs::path manifest_path(const StoredBackupFile& file) {
  return file.repository / file.set / file.id / "manifest.json";
}

Result<nlohmann::json> read_manifest(const StoredBackupFile& file) {
  std::ifstream in(manifest_path(file));
  std::stringstream text;
  text << in.rdbuf();
  auto document = nlohmann::json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) return fail("cannot parse " + manifest_path(file).string());
  return document;
}

Result<nlohmann::json*> entry_of(nlohmann::json& manifest, const StoredBackupFile& file) {
  for (auto& entry : manifest["files"]) {
    if (entry["path"] == file.path) return &entry;
  }
  return fail("backup " + file.id + " has no file " + file.path);
}

}  // namespace

Result<void> fetch_backup_file(const StoredBackupFile& file, const fs::path& to) {
  // The stored text as it is: the manifest's own checksum covers its exact bytes.
  std::ifstream in(manifest_path(file));
  std::stringstream text;
  text << in.rdbuf();
  TRY_ASSIGN(auto manifest, repo::parse_manifest(text.str(), manifest_path(file).string()));
  for (const auto& entry : manifest.files) {
    if (entry.stored.path != file.path) continue;
    storage::LocalBackend backend(file.repository);
    return pipeline::fetch_to_file(backend, entry.stored, to);
  }
  return fail("backup " + file.id + " has no file " + file.path);
}

Result<void> replace_backup_file(const StoredBackupFile& file, const fs::path& content) {
  TRY_ASSIGN(auto document, read_manifest(file));
  TRY_ASSIGN(auto* entry, entry_of(document, file));
  pipeline::CodecOptions codec;
  auto parsed = pipeline::parse_codec((*entry)["codec"].get<std::string>());
  if (!parsed) return fail("unknown codec in the manifest");
  codec.codec = *parsed;
  storage::LocalBackend backend(file.repository);
  TRY_ASSIGN(auto stored, pipeline::store_file(content, backend, file.path,
                                               (*entry)["stored_key"].get<std::string>(), codec));
  (*entry)["size"] = stored.size;
  (*entry)["stored_size"] = stored.stored_size;
  (*entry)["stored_sha256"] = stored.stored_sha256;
  entry->erase("sha256");
  // Re-sealed: the manifest carries a checksum of its own text (format 2 on).
  std::ofstream(manifest_path(file), std::ios::trunc) << repo::seal_manifest(document);
  return {};
}

Result<void> flip_bytes(const fs::path& file, std::uint64_t offset, std::size_t count) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  if (!stream) return fail("cannot open " + file.string());
  std::vector<char> bytes(count);
  stream.seekg(static_cast<std::streamoff>(offset));
  if (!stream.read(bytes.data(), static_cast<std::streamsize>(count))) {
    return fail(file.string() + " is shorter than " + std::to_string(offset + count) + " bytes");
  }
  for (auto& byte : bytes) byte = static_cast<char>(byte ^ 0xFF);
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.write(bytes.data(), static_cast<std::streamsize>(count));
  return stream ? Result<void>{} : fail("cannot write " + file.string());
}

Result<void> xbstream_extract(const fs::path& stream, const fs::path& directory) {
  fs::create_directories(directory);
  std::ifstream in(stream, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  core::SystemCommandRunner runner;
  TRY(core::run_checked(
      runner, core::Command{{"mbstream", "-x", "-C", directory.string()}, {}, std::move(content)}));
  return {};
}

Result<void> xbstream_create(const fs::path& directory, const fs::path& stream) {
  std::vector<std::string> argv = {"mbstream", "-c"};
  for (const auto& entry : fs::recursive_directory_iterator(directory)) {
    if (entry.is_regular_file()) {
      argv.push_back(entry.path().lexically_relative(directory).string());
    }
  }
  TRY_ASSIGN(auto child,
             core::ChildProcess::spawn(
                 {.argv = argv, .pipe_stdout = true, .working_directory = directory.string()}));
  std::ofstream out(stream, std::ios::binary | std::ios::trunc);
  std::vector<char> buffer(1 << 16);
  while (true) {
    auto got = ::read(child.stdout_fd().get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    out.write(buffer.data(), got);
  }
  TRY_ASSIGN(auto status, child.wait());
  if (!status.success()) return fail("mbstream -c failed (" + status.describe() + ")");
  return {};
}

std::vector<std::string> processes_mentioning(const std::string& fragment) {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(fragment) != std::string::npos) {
      found.push_back(name + ": " + cmdline.substr(0, 200));
    }
  }
  return found;
}

void flush_and_checkpoint(const MariaDbServer& server) {
  const auto previous = server.query_value("SELECT @@GLOBAL.innodb_max_dirty_pages_pct");
  server.execute("SET GLOBAL innodb_max_dirty_pages_pct = 0");
  for (int i = 0; i < 600; ++i) {
    auto age = server.query_value(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = "
        "'INNODB_CHECKPOINT_AGE'");
    auto dirty = server.query_value(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = "
        "'INNODB_BUFFER_POOL_PAGES_DIRTY'");
    // A checkpoint record itself adds a little redo; anything under a page is "caught up".
    if ((!age || std::stoull(*age) < 4096) && (!dirty || *dirty == "0")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server.execute("SET GLOBAL innodb_max_dirty_pages_pct = " + previous.value_or("90"));
}

bool wait_for_scratch_entry(const std::filesystem::path& temp_dir, const std::string& name,
                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(temp_dir, ignored)) {
      if (std::filesystem::exists(entry.path() / name)) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace dbkeep::test
