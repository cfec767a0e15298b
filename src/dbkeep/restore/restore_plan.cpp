#include "dbkeep/restore/restore_plan.hpp"

#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/restore/aside_path.hpp"
#include "dbkeep/restore/physical_restore.hpp"

namespace dbkeep::restore {
namespace {

namespace fs = std::filesystem;

void count(RestorePlan& plan, const repo::Manifest& manifest) {
  plan.chain.push_back(manifest.id);
  plan.objects += manifest.files.size();
  plan.stored_bytes += manifest.total_stored_size();
  plan.plaintext_bytes += manifest.total_size();
}

RestorePlan start(const repo::Manifest& manifest) {
  RestorePlan plan;
  plan.set = manifest.set;
  plan.id = manifest.id;
  return plan;
}

bool non_empty_directory(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error) && !fs::is_empty(path, error);
}

Result<void> measure(RestorePlan& plan) {
  if (plan.room_at.empty()) return {};
  TRY_ASSIGN(auto free_bytes, core::filesystem_free_bytes(plan.room_at));
  plan.free_bytes = free_bytes;
  return {};
}

}  // namespace

Result<RestorePlan> plan_datadir_restore(repo::Repository& repository,
                                         const repo::Manifest& manifest, const fs::path& datadir,
                                         bool force) {
  auto plan = start(manifest);
  if (manifest.method == core::Method::kPhysical) {
    TRY_ASSIGN(auto chain, physical_chain(repository, manifest));
    for (const auto& backup : chain) count(plan, backup);
    plan.notes.push_back("unpacked and prepared in a staging directory inside the datadir");
  } else {
    count(plan, manifest);
  }
  plan.writes = "datadir " + datadir.string();
  plan.room_at = datadir;
  plan.needed_bytes = plan.plaintext_bytes + core::kFreeSpaceMargin;
  if (non_empty_directory(datadir)) {
    if (force) {
      plan.moves_aside = datadir.string() + " to " + unused_aside_path(datadir).string() +
                         " (renamed, same filesystem: it keeps its space)";
    } else {
      plan.notes.push_back(datadir.string() + " is not empty: the restore refuses it (--force " +
                           "moves it aside)");
    }
  }
  TRY(measure(plan));
  return plan;
}

Result<RestorePlan> plan_sqlite_restore(const repo::Manifest& manifest, const fs::path& file,
                                        bool force) {
  auto plan = start(manifest);
  count(plan, manifest);
  plan.writes = "file " + file.string() + " (through a temporary file beside it)";
  plan.room_at = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  plan.needed_bytes = plan.plaintext_bytes + core::kFreeSpaceMargin;
  std::error_code error;
  if (fs::exists(file, error)) {
    if (force) {
      plan.moves_aside =
          file.string() + " (with its -wal and -shm) to " + unused_aside_path(file).string();
    } else {
      plan.notes.push_back(file.string() + " exists: the restore refuses it (--force keeps it " +
                           "aside)");
    }
  }
  TRY(measure(plan));
  return plan;
}

RestorePlan plan_server_restore(const repo::Manifest& manifest, const std::string& server,
                                const std::optional<TableSelection>& only,
                                const std::optional<fs::path>& server_datadir) {
  auto plan = start(manifest);
  plan.chain.push_back(manifest.id);
  for (const auto& file : manifest.files) {
    const std::string kind = file.string_attribute("kind");
    if (only && !kind.empty() && kind != "schema" && kind != "objects" && kind != "users") {
      if (!only->wants_table(file.string_attribute("schema"), file.string_attribute("table"))) {
        continue;
      }
    }
    ++plan.objects;
    plan.stored_bytes += file.stored.stored_size;
    plan.plaintext_bytes += file.stored.size;
  }
  plan.writes = "server " + server;
  // The dump's SQL text is about the size the rows take in InnoDB (often more): a fair bound.
  plan.needed_bytes = plan.plaintext_bytes + core::kFreeSpaceMargin;
  std::error_code error;
  if (server_datadir && fs::is_directory(*server_datadir, error)) {
    plan.room_at = *server_datadir;
    if (auto free_bytes = core::filesystem_free_bytes(*server_datadir)) {
      plan.free_bytes = *free_bytes;
    }
  } else {
    plan.notes.push_back("the server's datadir is not on this host: its free space is not checked");
  }
  return plan;
}

Result<void> require_room(const RestorePlan& plan) {
  if (!plan.free_bytes || *plan.free_bytes >= plan.needed_bytes) return {};
  return fail("not enough free space for restoring " + plan.set + "/" + plan.id + " on " +
              plan.room_at.string() + ": it needs about " + core::format_bytes(plan.needed_bytes) +
              " (" + std::to_string(plan.needed_bytes) + " bytes), " +
              core::format_bytes(*plan.free_bytes) + " (" + std::to_string(*plan.free_bytes) +
              " bytes) are free; nothing was written");
}

std::string describe_restore_plan(const RestorePlan& plan) {
  std::string chain;
  for (const auto& id : plan.chain) chain += (chain.empty() ? "" : " + ") + id;
  std::string out = "restore plan for " + plan.set + "/" + plan.id + "\n";
  out += "  fetch     " + std::to_string(plan.objects) + " objects of " + chain + ": " +
         core::format_bytes(plan.stored_bytes) + " stored, " +
         core::format_bytes(plan.plaintext_bytes) + " restored\n";
  out += "  write     " + plan.writes + "\n";
  if (!plan.room_at.empty()) {
    out += "  room      " + core::format_bytes(plan.needed_bytes) + " needed on " +
           plan.room_at.string() + ", " +
           (plan.free_bytes ? core::format_bytes(*plan.free_bytes) + " free" : "free unknown") +
           (plan.free_bytes && *plan.free_bytes < plan.needed_bytes ? "  (DOES NOT FIT)" : "") +
           "\n";
  }
  if (plan.moves_aside) out += "  aside     " + *plan.moves_aside + "\n";
  for (const auto& note : plan.notes) out += "  note      " + note + "\n";
  return out;
}

nlohmann::json restore_plan_to_json(const RestorePlan& plan) {
  nlohmann::json document = {{"set", plan.set},
                             {"id", plan.id},
                             {"chain", plan.chain},
                             {"objects", plan.objects},
                             {"stored_bytes", plan.stored_bytes},
                             {"plaintext_bytes", plan.plaintext_bytes},
                             {"writes", plan.writes},
                             {"needed_bytes", plan.needed_bytes},
                             {"notes", plan.notes}};
  document["room_at"] =
      plan.room_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(plan.room_at.string());
  document["free_bytes"] =
      plan.free_bytes ? nlohmann::json(*plan.free_bytes) : nlohmann::json(nullptr);
  document["fits"] = !plan.free_bytes || *plan.free_bytes >= plan.needed_bytes;
  document["moves_aside"] =
      plan.moves_aside ? nlohmann::json(*plan.moves_aside) : nlohmann::json(nullptr);
  return document;
}

}  // namespace dbkeep::restore
