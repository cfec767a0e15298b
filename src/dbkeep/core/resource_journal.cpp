#include "dbkeep/core/resource_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/private_directory.hpp"

namespace dbkeep::core {
namespace {

constexpr int kFormatVersion = 1;

nlohmann::json to_json(const JournalEntry& entry) {
  nlohmann::json object = {{"kind", entry.kind}, {"target", entry.target}};
  if (!entry.provider.empty()) object["provider"] = entry.provider;
  if (entry.recursive) object["recursive"] = true;
  return object;
}

JournalEntry from_json(const nlohmann::json& object) {
  return JournalEntry{.kind = object.at("kind").get<std::string>(),
                      .provider = object.value("provider", std::string()),
                      .target = object.at("target").get<std::string>(),
                      .recursive = object.value("recursive", false)};
}

Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_message("writing " + path.string(), errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Result<ResourceJournal> ResourceJournal::open(std::filesystem::path file) {
  std::filesystem::path parent = file.parent_path().empty() ? "." : file.parent_path();
  TRY(create_private_directories(parent));

  ResourceJournal journal(std::move(file));
  // A run killed while persisting leaves the temporary file; the old journal beside it is the
  // one that counts, and the caller holds the set's lock, so nobody else is writing it.
  if (::unlink(journal.temporary_file().c_str()) != 0 && errno != ENOENT) {
    return fail(errno_message("removing " + journal.temporary_file().string(), errno));
  }
  std::ifstream in(journal.file_);
  if (!in) {
    std::error_code error;
    if (std::filesystem::exists(journal.file_, error)) {
      return fail("cannot read resource journal " + journal.file_.string());
    }
    return journal;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_bounded_json(text.str());
  if (!parsed) {
    return fail("resource journal " + journal.file_.string() + " is corrupt (it " +
                describe(parsed.error()) + "); inspect it and undo its resources by hand");
  }
  try {
    const auto& document = *parsed;
    for (const auto& object : document.at("resources")) {
      journal.entries_.push_back(from_json(object));
    }
  } catch (const nlohmann::json::exception& e) {
    return fail("resource journal " + journal.file_.string() + " is corrupt (" + e.what() +
                "); inspect it and undo its resources by hand");
  }
  return journal;
}

Result<void> ResourceJournal::record(const JournalEntry& entry) {
  if (std::ranges::find(entries_, entry) != entries_.end()) return {};
  entries_.push_back(entry);
  return persist();
}

Result<void> ResourceJournal::forget(const JournalEntry& entry) {
  auto it = std::ranges::find(entries_, entry);
  if (it == entries_.end()) return {};
  entries_.erase(it);
  return persist();
}

Result<void> ResourceJournal::persist() const {
  std::filesystem::path directory = file_.parent_path().empty() ? "." : file_.parent_path();
  if (entries_.empty()) {
    if (::unlink(file_.c_str()) != 0 && errno != ENOENT) {
      return fail(errno_message("removing " + file_.string(), errno));
    }
    return sync_directory(directory);
  }

  nlohmann::json document = {{"version", kFormatVersion}, {"resources", nlohmann::json::array()}};
  for (const auto& entry : entries_) document["resources"].push_back(to_json(entry));
  std::string text = document.dump(2) + "\n";

  // Temp file + fsync + rename: a crash leaves either the old or the new journal, never half.
  std::filesystem::path temporary = temporary_file();
  {
    Fd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!out) return fail(errno_message("creating " + temporary.string(), errno));
    TRY(write_all(out.get(), text, temporary));
    if (::fsync(out.get()) != 0) return fail(errno_message("fsync " + temporary.string(), errno));
  }
  if (::rename(temporary.c_str(), file_.c_str()) != 0) {
    return fail(errno_message("renaming " + temporary.string(), errno));
  }
  return sync_directory(directory);
}

}  // namespace dbkeep::core
