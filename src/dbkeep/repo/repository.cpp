#include "dbkeep/repo/repository.hpp"

#include <algorithm>
#include <set>

#include "dbkeep/core/log.hpp"
#include "dbkeep/repo/backup_id.hpp"

namespace dbkeep::repo {
namespace {

constexpr std::string_view kManifestName = "manifest.json";
constexpr std::string_view kPinName = "pinned";

struct KeyParts {
  std::string set, id, rest;
};

// Splits "<set>/<id>/<rest>"; nullopt for keys outside the layout.
std::optional<KeyParts> split_key(const std::string& key) {
  auto first = key.find('/');
  if (first == std::string::npos || first == 0 || key[0] == '.') return std::nullopt;
  auto second = key.find('/', first + 1);
  if (second == std::string::npos) return std::nullopt;
  KeyParts parts{key.substr(0, first), key.substr(first + 1, second - first - 1),
                 key.substr(second + 1)};
  if (!is_backup_id(parts.id)) return std::nullopt;
  return parts;
}

bool newer_first(const Manifest& a, const Manifest& b) {
  if (a.started_at != b.started_at) return a.started_at > b.started_at;
  return backup_id_less(b.id, a.id);
}

}  // namespace

Repository::Repository(std::unique_ptr<storage::Backend> backend) : backend_(std::move(backend)) {}

std::string Repository::backup_prefix(const std::string& set, const std::string& id) {
  return set + "/" + id + "/";
}

std::string Repository::manifest_key(const std::string& set, const std::string& id) {
  return backup_prefix(set, id) + std::string(kManifestName);
}

std::string Repository::data_key(const std::string& set, const std::string& id,
                                 const std::string& path) {
  return backup_prefix(set, id) + "data/" + path;
}

std::string Repository::pin_key(const std::string& set, const std::string& id) {
  return backup_prefix(set, id) + std::string(kPinName);
}

Result<Catalog> Repository::list(const std::optional<std::string>& set) {
  TRY_ASSIGN(auto objects, backend_->list(set ? *set + "/" : std::string()));
  Catalog catalog;
  for (const auto& object : objects) {
    auto parts = split_key(object.key);
    if (parts && parts->rest == kPinName) catalog.pinned.insert(parts->set + "/" + parts->id);
    if (!parts || parts->rest != kManifestName) continue;
    auto text = storage::read_all(*backend_, object.key);
    if (!text) {
      catalog.problems.push_back(object.key + ": " + text.error().message);
      continue;
    }
    auto manifest = parse_manifest(*text, object.key);
    if (!manifest) {
      catalog.problems.push_back(manifest.error().message);
      continue;
    }
    if (manifest->set != parts->set || manifest->id != parts->id) {
      catalog.problems.push_back(object.key + ": manifest names backup " + manifest->set + "/" +
                                 manifest->id + ", not the directory it is in");
      continue;
    }
    catalog.backups.push_back(std::move(*manifest));
  }
  std::sort(catalog.backups.begin(), catalog.backups.end(), newer_first);
  // A pin left behind without its manifest (an interrupted prune) pins nothing listed.
  std::set<std::string> listed;
  for (const auto& manifest : catalog.backups) listed.insert(manifest.set + "/" + manifest.id);
  std::erase_if(catalog.pinned,
                [&listed](const std::string& key) { return !listed.contains(key); });
  return catalog;
}

Result<Manifest> Repository::find(const std::string& id, const std::optional<std::string>& set) {
  if (!is_backup_id(id)) {
    return usage_error("'" + id +
                       "' is not a backup id (expected YYYYMMDD_HHMMSS; see dbkeep list)");
  }
  TRY_ASSIGN(auto catalog, list(set));
  std::vector<Manifest> matches;
  for (auto& manifest : catalog.backups) {
    if (manifest.id == id) matches.push_back(std::move(manifest));
  }
  if (matches.size() > 1) {
    return usage_error("backup " + id + " exists in several sets; name one with --set");
  }
  if (matches.empty()) {
    // A damaged manifest must not read as "no such backup": say what is wrong with it.
    for (const auto& problem : catalog.problems) {
      if (problem.find("/" + id + "/") != std::string::npos) {
        return fail("backup " + id + " is damaged: " + problem, ErrorKind::kVerification);
      }
    }
    return usage_error("no complete backup " + id + (set ? " in set '" + *set + "'" : "") + " in " +
                       backend_->describe());
  }
  return std::move(matches.front());
}

Result<Manifest> Repository::latest(const std::optional<std::string>& set) {
  TRY_ASSIGN(auto catalog, list(set));
  if (catalog.backups.empty()) {
    return usage_error("no complete backup" + (set ? " of set '" + *set + "'" : std::string()) +
                       " in " + backend_->describe());
  }
  return std::move(catalog.backups.front());
}

Result<std::vector<IncompleteBackup>> Repository::incomplete(const std::string& set) {
  TRY_ASSIGN(auto children, backend_->list_children(set + "/"));
  std::vector<IncompleteBackup> out;
  for (const auto& id : children) {
    if (!is_backup_id(id)) continue;
    TRY_ASSIGN(bool complete, backend_->exists(manifest_key(set, id)));
    if (!complete) out.push_back({set, id});
  }
  return out;
}

Result<std::string> Repository::reserve_id(const std::string& set, core::Seconds started_at) {
  TRY_ASSIGN(auto children, backend_->list_children(set + "/"));
  // Same-second backups are ordered by id, so a new one must never reuse a smaller id freed by
  // a prune: it would sort as older than its siblings and be pruned right after it was taken.
  // Every id up to the largest one used in that second counts as taken.
  auto sequence = [](const std::string& id) {
    return id.size() > 16 ? std::stoi(id.substr(16)) : 1;  // "…_HHMMSS" is 1, "…_HHMMSS_2" is 2
  };
  std::string base = core::format_compact_utc(started_at);
  int largest = 0;
  for (const auto& child : children) {
    if (is_backup_id(child) && child.starts_with(base))
      largest = std::max(largest, sequence(child));
  }
  return make_backup_id(started_at, [&](const std::string& id) { return sequence(id) <= largest; });
}

Result<void> Repository::commit(const Manifest& manifest) {
  return storage::write_all(*backend_, manifest_key(manifest.set, manifest.id),
                            serialize_manifest(manifest));
}

Result<void> Repository::remove_backup(const std::string& set, const std::string& id) {
  TRY(backend_->remove(manifest_key(set, id)));
  return backend_->remove_prefix(backup_prefix(set, id));
}

Result<void> Repository::set_pinned(const std::string& set, const std::string& id, bool pinned,
                                    core::Seconds pinned_at) {
  if (!pinned) return backend_->remove(pin_key(set, id));
  const std::string content = "{\"pinned_at\": \"" + core::format_iso_utc(pinned_at) + "\"}\n";
  return storage::write_all(*backend_, pin_key(set, id), content);
}

Result<bool> Repository::is_pinned(const std::string& set, const std::string& id) {
  return backend_->exists(pin_key(set, id));
}

Result<void> Repository::remove_incomplete(const std::string& set) {
  TRY_ASSIGN(auto leftovers, incomplete(set));
  for (const auto& leftover : leftovers) {
    log::warn("removing incomplete backup " + leftover.set + "/" + leftover.id +
              " left by an interrupted run");
    TRY(backend().remove_prefix(backup_prefix(set, leftover.id)));
  }
  return {};
}

}  // namespace dbkeep::repo
