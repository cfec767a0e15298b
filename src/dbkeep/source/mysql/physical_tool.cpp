#include "dbkeep/source/mysql/physical_tool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/executable_path.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/text.hpp"

namespace dbkeep::source::mysql {
namespace {

// Option-file values go inside double quotes; only \ and " need escaping there.
std::string option_value(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::optional<std::uint64_t> to_number(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string choose_physical_tool(Flavor flavor, const std::optional<std::string>& configured) {
  if (configured) return *configured;
  return flavor == Flavor::kMariaDb ? "mariabackup" : "xtrabackup";
}

Result<std::filesystem::path> find_physical_tool(const std::string& tool) {
  if (auto found = core::find_executable(tool)) return *found;
  std::string package = tool == "mariabackup" ? "mariadb-backup" : "percona-xtrabackup";
  return usage_error(tool +
                     " is not installed (not found in PATH); the physical method needs it: " +
                     "install the " + package + " package, or set [set.physical] tool");
}

std::string tool_version_from_output(std::string_view output) {
  for (std::string_view marker : {"server ", "version "}) {
    auto at = output.find(marker);
    if (at == std::string_view::npos) continue;
    auto rest = output.substr(at + marker.size());
    auto end = rest.find_first_of(" \t\r\n");
    auto version = std::string(rest.substr(0, end));
    if (parse_version_number(version) != 0) return version;
  }
  return {};
}

Result<std::string> check_tool_version(const std::filesystem::path& tool,
                                       const ServerVersion& server) {
  core::SystemCommandRunner runner;
  core::Command command{{tool.string(), "--version"}, {}, std::nullopt, std::chrono::seconds(30)};
  TRY_ASSIGN(auto result, runner.run(command));
  // Both tools print their version on stderr.
  auto version = tool_version_from_output(result.stderr_text + "\n" + result.stdout_text);
  if (!result.success() || version.empty()) {
    return usage_error("cannot tell the version of " + tool.string() + " (" +
                       result.describe_failure() + ")");
  }
  unsigned tool_number = parse_version_number(version);
  if (release_series(tool_number) != release_series(server.number)) {
    return usage_error(tool.string() + " " + version + " cannot back up server " + server.text +
                       ": the tool must come from the server's release series; install the " +
                       "matching version");
  }
  return version;
}

Result<void> write_defaults_file(const std::filesystem::path& path,
                                 const ConnectionOptions& options) {
  std::string settings;
  if (!options.user.empty()) settings += "user=" + option_value(options.user) + "\n";
  if (!options.password.empty()) settings += "password=" + option_value(options.password) + "\n";
  if (!options.socket.empty()) settings += "socket=" + option_value(options.socket) + "\n";
  if (!options.host.empty()) settings += "host=" + option_value(options.host) + "\n";
  if (options.port != 0) settings += "port=" + std::to_string(options.port) + "\n";
  std::string content = "[client]\n" + settings + "[xtrabackup]\n" + settings;

  // O_EXCL with mode 0600: the file never exists, even briefly, with wider permissions.
  core::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return fail(errno_message("cannot create " + path.string(), errno));
  return core::write_fully(fd.get(), std::as_bytes(std::span(content)), path);
}

std::map<std::string, std::string> parse_key_values(std::string_view text) {
  std::map<std::string, std::string> values;
  std::stringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    values[core::trim(std::string_view(line).substr(0, equals))] =
        core::trim(std::string_view(line).substr(equals + 1));
  }
  return values;
}

Result<Checkpoints> parse_checkpoints(std::string_view text, const std::string& where) {
  auto values = parse_key_values(text);
  Checkpoints checkpoints;
  checkpoints.backup_type = values["backup_type"];
  auto from = to_number(values["from_lsn"]);
  auto to = to_number(values["to_lsn"]);
  if (checkpoints.backup_type.empty() || !from || !to) {
    return fail(where + " lacks backup_type, from_lsn or to_lsn; the tool's output is not usable");
  }
  checkpoints.from_lsn = *from;
  checkpoints.to_lsn = *to;
  checkpoints.last_lsn = to_number(values["last_lsn"]).value_or(0);
  return checkpoints;
}

}  // namespace dbkeep::source::mysql
