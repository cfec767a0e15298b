#include "dbkeep/restore/restore_plan.hpp"

#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/table_inventory.hpp"
#include "dbkeep/restore/aside_path.hpp"
#include "dbkeep/restore/physical_restore.hpp"
#include "dbkeep/restore/scratch_restore.hpp"

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

Result<void> add_room(RestorePlan& plan, std::string what, const fs::path& at,
                      std::uint64_t needed) {
  TRY_ASSIGN(auto free_bytes, core::filesystem_free_bytes(at));
  plan.rooms.push_back({std::move(what), at, needed, free_bytes});
  return {};
}

// The room on the target server's datadir, when this host sees it.
void add_server_room(RestorePlan& plan, const std::optional<fs::path>& server_datadir,
                     std::uint64_t needed) {
  std::error_code error;
  if (server_datadir && fs::is_directory(*server_datadir, error)) {
    auto free_bytes = core::filesystem_free_bytes(*server_datadir);
    plan.rooms.push_back({"target server", *server_datadir, needed,
                          free_bytes ? std::optional<std::uint64_t>(*free_bytes) : std::nullopt});
  } else {
    plan.notes.push_back("the server's datadir is not on this host: its free space is not checked");
  }
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
  if (non_empty_directory(datadir)) {
    if (force) {
      plan.moves_aside = datadir.string() + " to " + unused_aside_path(datadir).string() +
                         " (renamed, same filesystem: it keeps its space)";
    } else {
      plan.notes.push_back(datadir.string() + " is not empty: the restore refuses it (--force " +
                           "moves it aside)");
    }
  }
  TRY(add_room(plan, "datadir", datadir, plan.plaintext_bytes + core::kFreeSpaceMargin));
  return plan;
}

Result<RestorePlan> plan_sqlite_restore(const repo::Manifest& manifest, const fs::path& file,
                                        bool force) {
  auto plan = start(manifest);
  count(plan, manifest);
  plan.writes = "file " + file.string() + " (through a temporary file beside it)";
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
  TRY(add_room(plan, "file", file.parent_path().empty() ? fs::path(".") : file.parent_path(),
               plan.plaintext_bytes + core::kFreeSpaceMargin));
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
  add_server_room(plan, server_datadir, plan.plaintext_bytes + core::kFreeSpaceMargin);
  return plan;
}

Result<RestorePlan> plan_selected_through_scratch(repo::Repository& repository,
                                                  const repo::Manifest& manifest,
                                                  const std::string& server,
                                                  const TableSelection& only,
                                                  const std::optional<fs::path>& server_datadir,
                                                  const fs::path& scratch_parent) {
  auto plan = start(manifest);
  if (manifest.method == core::Method::kPhysical) {
    TRY_ASSIGN(auto chain, physical_chain(repository, manifest));
    for (const auto& backup : chain) count(plan, backup);
  } else {
    count(plan, manifest);
  }
  std::uint64_t selected = 0;
  for (const auto& table : repo::backup_tables(manifest)) {
    if (only.wants_table(table.schema, table.table)) selected += table.bytes.value_or(0);
  }
  plan.writes = "server " + server + " (" + only.text() + ", from a scratch server on the " +
                "backup, through a logical dump)";
  TRY_ASSIGN(auto scratch, scratch_bytes_needed(repository, manifest));
  TRY(add_room(plan, "scratch server and dump", scratch_parent, scratch + selected));
  add_server_room(plan, server_datadir, selected + core::kFreeSpaceMargin);
  plan.notes.push_back("the scratch server and its directory are removed afterwards");
  return plan;
}

Result<void> require_room(const RestorePlan& plan) {
  for (const auto& room : plan.rooms) {
    if (!room.free_bytes || *room.free_bytes >= room.needed_bytes) continue;
    return fail("not enough free space for restoring " + plan.set + "/" + plan.id + " on " +
                room.at.string() + " (" + room.what + "): it needs about " +
                core::format_bytes(room.needed_bytes) + " (" + std::to_string(room.needed_bytes) +
                " bytes), " + core::format_bytes(*room.free_bytes) + " (" +
                std::to_string(*room.free_bytes) + " bytes) are free; nothing was written");
  }
  return {};
}

std::string describe_restore_plan(const RestorePlan& plan) {
  std::string chain;
  for (const auto& id : plan.chain) chain += (chain.empty() ? "" : " + ") + id;
  std::string out = "restore plan for " + plan.set + "/" + plan.id + "\n";
  out += "  fetch     " + std::to_string(plan.objects) + " objects of " + chain + ": " +
         core::format_bytes(plan.stored_bytes) + " stored, " +
         core::format_bytes(plan.plaintext_bytes) + " restored\n";
  out += "  write     " + plan.writes + "\n";
  for (const auto& room : plan.rooms) {
    out += "  room      " + core::format_bytes(room.needed_bytes) + " needed on " +
           room.at.string() + " (" + room.what + "), " +
           (room.free_bytes ? core::format_bytes(*room.free_bytes) + " free" : "free unknown") +
           (room.free_bytes && *room.free_bytes < room.needed_bytes ? "  (DOES NOT FIT)" : "") +
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
                             {"notes", plan.notes},
                             {"rooms", nlohmann::json::array()}};
  bool fits = true;
  for (const auto& room : plan.rooms) {
    const bool room_fits = !room.free_bytes || *room.free_bytes >= room.needed_bytes;
    fits = fits && room_fits;
    document["rooms"].push_back(
        {{"what", room.what},
         {"at", room.at.string()},
         {"needed_bytes", room.needed_bytes},
         {"free_bytes", room.free_bytes ? nlohmann::json(*room.free_bytes) : nlohmann::json()},
         {"fits", room_fits}});
  }
  // The first room's figures at the top, for scripts that check one destination.
  const RestoreRoom* first = plan.rooms.empty() ? nullptr : &plan.rooms.front();
  document["room_at"] = first ? nlohmann::json(first->at.string()) : nlohmann::json(nullptr);
  document["needed_bytes"] = first ? nlohmann::json(first->needed_bytes) : nlohmann::json(nullptr);
  document["free_bytes"] =
      first && first->free_bytes ? nlohmann::json(*first->free_bytes) : nlohmann::json(nullptr);
  document["moves_aside"] =
      plan.moves_aside ? nlohmann::json(*plan.moves_aside) : nlohmann::json(nullptr);
  document["fits"] = fits;
  return document;
}

}  // namespace dbkeep::restore
