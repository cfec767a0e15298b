#include "dbkeep/source/mysql/datadir_mapping.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "dbkeep/core/log.hpp"

namespace dbkeep::source::mysql {
namespace fs = std::filesystem;
namespace {

// `path` below `from`, or nullopt when it is not inside it.
std::optional<fs::path> below(const fs::path& path, const fs::path& from) {
  auto relative = path.lexically_normal().lexically_relative(from.lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return std::nullopt;
  return relative == "." ? fs::path() : relative;
}

// Rebases `path` from `from` to `to`; false when it lies outside `from`.
bool rebase(fs::path& path, const fs::path& from, const fs::path& to) {
  if (path.empty()) return true;
  auto relative = below(path, from);
  if (!relative) return false;
  path = relative->empty() ? to : (to / *relative).lexically_normal();
  return true;
}

// The system tablespace files named by innodb_data_file_path ("ibdata1:12M;ibdata2:50M:
// autoextend"); raw partitions ("/dev/sdb:10Gnewraw") are not files to look for.
std::vector<fs::path> system_tablespace_files(const std::string& data_file_path) {
  std::vector<fs::path> files;
  std::istringstream specs(data_file_path);
  std::string spec;
  while (std::getline(specs, spec, ';')) {
    auto name = spec.substr(0, spec.find(':'));
    if (!name.empty() && spec.find("raw") == std::string::npos) files.emplace_back(name);
  }
  return files;
}

}  // namespace

Result<void> map_to_host_datadir(ServerFacts& facts, const fs::path& host_datadir) {
  const fs::path server = facts.server_datadir;
  const fs::path host = host_datadir.lexically_normal();
  facts.datadir = host;
  for (auto* path : {&facts.innodb_data_home_dir, &facts.innodb_log_group_home_dir,
                     &facts.innodb_undo_directory}) {
    if (!rebase(*path, server, host)) {
      return usage_error("the server's InnoDB directory " + path->string() +
                         " is outside its datadir " + server.string() +
                         ", so [set.mysql] datadir = \"" + host.string() +
                         "\" does not say where this host sees it; keep the InnoDB files "
                         "inside the datadir volume");
    }
  }
  for (auto& file : facts.external_tablespace_files) {
    if (!rebase(file, server, host)) {
      return usage_error("the tablespace " + file.string() + " (DATA DIRECTORY) is outside the " +
                         "server's datadir " + server.string() +
                         ", so this host cannot find it "
                         "through [set.mysql] datadir");
    }
  }
  rebase(facts.log_bin_basename, server, host);  // outside: left as is (not read by backups)
  if (server != host) {
    log::info("server datadir " + server.string() + " is read here at " + host.string() +
              " ([set.mysql] datadir)");
  }
  return {};
}

Result<void> check_datadir_files(const ServerFacts& facts) {
  const bool mapped = facts.datadir != facts.server_datadir;
  const std::string where = mapped ? "[set.mysql] datadir = \"" + facts.datadir.string() + "\""
                                   : "the server's datadir " + facts.datadir.string();
  std::error_code error;
  if (!fs::is_directory(facts.datadir, error)) {
    if (mapped) return usage_error(where + " is not a directory on this host");
    return usage_error(where +
                       " is not visible on this host; if the server runs in a "
                       "container, set [set.mysql] datadir to the host path of its datadir volume");
  }
  std::vector<fs::path> expected;
  for (const auto& file : system_tablespace_files(facts.innodb_data_file_path)) {
    expected.push_back(file.is_absolute() ? file : facts.innodb_data_home_dir / file);
  }
  if (facts.version.flavor == Flavor::kMariaDb)
    expected.push_back(facts.datadir / "aria_log_control");
  for (const auto& file : facts.tablespace_files_in_datadir)
    expected.push_back(facts.datadir / file);

  std::ranges::sort(expected);
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  std::vector<std::string> missing;
  for (const auto& file : expected) {
    if (fs::exists(file, error)) continue;
    if (error == std::errc::permission_denied) {
      return usage_error("cannot look into " + where + " (" + file.string() +
                         ": permission denied): run dbkeep as a user who can read the server's "
                         "files, usually root");
    }
    missing.push_back(file.string());
  }
  if (missing.empty()) return {};
  std::string list;
  constexpr std::size_t kListed = 10;
  for (std::size_t i = 0; i < missing.size() && i < kListed; ++i) list += "\n  " + missing[i];
  if (missing.size() > kListed) {
    list += "\n  … and " + std::to_string(missing.size() - kListed) + " more";
  }
  std::string hint = mapped ? "set it to the host path of the volume the server sees as " +
                                  facts.server_datadir.string()
                            : "if the server runs in a container, set [set.mysql] datadir to "
                              "the host path of its datadir volume";
  return usage_error(where + " does not hold this server's files (" +
                     std::to_string(missing.size()) + " of " + std::to_string(expected.size()) +
                     " expected files missing):" + list + "\n" + hint);
}

Result<ServerDatadirView> ServerDatadirView::prepare(const ServerFacts& facts) {
  ServerDatadirView view;
  if (facts.server_datadir == facts.datadir) return view;
  if (::geteuid() != 0) {
    return usage_error("the backup tool reads the datadir at the path the server reports (" +
                       facts.server_datadir.string() + "); to show it the files of " +
                       facts.datadir.string() +
                       " dbkeep runs the tool in a private mount namespace, which needs root");
  }
  view.host_ = facts.datadir;
  view.server_ = facts.server_datadir;
  // The mount point: the missing directories down to the server's path, removed afterwards.
  std::vector<fs::path> missing;
  std::error_code error;
  for (fs::path at = view.server_; !at.empty() && !fs::exists(at, error); at = at.parent_path()) {
    missing.push_back(at);
    if (at == at.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!fs::create_directory(*it, error) && error) {
      return fail("cannot create the mount point " + it->string() +
                  " for the server's datadir: " + error.message());
    }
    view.created_.insert(view.created_.begin(), *it);
  }
  return view;
}

ServerDatadirView::ServerDatadirView(ServerDatadirView&& other) noexcept
    : host_(std::move(other.host_)),
      server_(std::move(other.server_)),
      created_(std::exchange(other.created_, {})) {}

ServerDatadirView::~ServerDatadirView() {
  std::error_code ignored;
  for (const auto& directory : created_) {
    if (fs::is_empty(directory, ignored)) fs::remove(directory, ignored);
  }
}

std::vector<std::string> with_bind_mount(const fs::path& from, const fs::path& at,
                                         std::vector<std::string> argv) {
  std::vector<std::string> wrapped = {"unshare",
                                      "--mount",
                                      "--propagation",
                                      "private",
                                      "sh",
                                      "-c",
                                      "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"",
                                      "sh",
                                      from.string(),
                                      at.string()};
  wrapped.insert(wrapped.end(), std::make_move_iterator(argv.begin()),
                 std::make_move_iterator(argv.end()));
  return wrapped;
}

std::vector<std::string> ServerDatadirView::wrap(std::vector<std::string> argv) const {
  if (host_.empty()) return argv;
  return with_bind_mount(host_, server_, std::move(argv));
}

Result<ServerFacts> probe_server_files(Connection& connection,
                                       const std::optional<fs::path>& host_datadir) {
  TRY_ASSIGN(auto facts, probe_server(connection));
  if (host_datadir) TRY(map_to_host_datadir(facts, *host_datadir));
  TRY(check_datadir_files(facts));
  return facts;
}

}  // namespace dbkeep::source::mysql
