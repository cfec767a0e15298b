#include "dbkeep/ops/schedule_files.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "dbkeep/ops/atomic_file.hpp"

namespace dbkeep::ops {
namespace {

namespace fs = std::filesystem;

bool only_characters(std::string_view text, std::string_view extra) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [extra](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

// One argument of the command cron hands to /bin/sh. '%' means newline to cron, so it cannot
// appear at all; everything else is single-quoted when it is not plainly safe.
Result<std::string> shell_word(const std::string& word) {
  if (word.find('%') != std::string::npos || word.find('\n') != std::string::npos) {
    return usage_error("'" + word + "' cannot appear in a cron line (it holds % or a newline)");
  }
  if (only_characters(word, "_./@:=+-,")) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// One argument of a systemd ExecStart= line: '%' and '$' are doubled, spaces need quotes.
std::string systemd_word(const std::string& word) {
  std::string escaped;
  bool quote = false;
  for (char c : word) {
    if (c == '%' || c == '$') escaped += c;
    if (c == '"' || c == '\\') escaped += '\\';
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == ';') quote = true;
    escaped += c;
  }
  return quote ? "\"" + escaped + "\"" : escaped;
}

std::string header(const ScheduleTarget& target) {
  // Appended piece by piece: g++ 12 -O2 reports a false -Warray-bounds for this as one
  // chain of operator+ on temporaries.
  std::string text(kScheduleMarker);
  text += " (dbkeep schedule install); 'dbkeep schedule remove' deletes this file.\n";
  text += "# Generated from ";
  text += target.config_file.string();
  text += ": change that file, then run install again.\n";
  return text;
}

using Schedules = std::vector<std::pair<const core::SetConfig*, CronExpression>>;

// The arguments after the binary: a backup of the set, or a restore test of its latest backup.
// The set name comes last (systemd passes it as %i).
std::vector<std::string> command_words(const ScheduleTarget& target, bool verify) {
  std::vector<std::string> words = {target.binary.string(), "--config", target.config_file.string(),
                                    "--quiet"};
  if (verify) {
    words.insert(words.end(), {"verify", "--latest", "--restore-test", "--set"});
  } else {
    words.insert(words.end(), {"backup", "--set"});
  }
  return words;
}

Result<ScheduleFile> cron_file(const Schedules& schedules, const Schedules& verifies,
                               const ScheduleTarget& target) {
  std::string text = header(target);
  text += "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n";
  for (const bool verify : {false, true}) {
    for (const auto& [set, cron] : verify ? verifies : schedules) {
      std::string command;
      auto words = command_words(target, verify);
      words.push_back(set->name);
      for (const std::string& word : words) {
        TRY_ASSIGN(auto quoted, shell_word(word));
        command += (command.empty() ? "" : " ") + quoted;
      }
      text += "# set " + set->name + (verify ? " restore test" : "") +
              " (output: the log file of the configuration; cron mails "
              "warnings)\n" +
              cron.text() + " " + target.user + " " + command + "\n";
    }
  }
  return ScheduleFile{target.directory() / target.name, text};
}

// <unit>@.service and one <unit>@<set>.timer per schedule.
void add_systemd_units(const Schedules& schedules, const ScheduleTarget& target, bool verify,
                       std::vector<ScheduleFile>& files) {
  const std::string unit = target.name + (verify ? "-verify" : "");
  const std::string what = verify ? "restore test" : "backup";
  std::string exec;
  for (const std::string& word : command_words(target, verify)) exec += systemd_word(word) + " ";
  files.push_back({target.directory() / (unit + "@.service"),
                   header(target) + "[Unit]\nDescription=dbkeep " + what +
                       " of set %i\n"
                       "Wants=network-online.target\nAfter=network-online.target\n\n"
                       "[Service]\nType=oneshot\n" +
                       (target.user == "root" ? "" : "User=" + target.user + "\n") +
                       "ExecStart=" + exec +
                       "%i\nNice=10\nIOSchedulingClass=best-effort\n"
                       "IOSchedulingPriority=7\n"});
  for (const auto& [set, cron] : schedules) {
    std::string timer = header(target) + "[Unit]\nDescription=dbkeep " +
                        (verify ? "restore test schedule" : "schedule") + " of set " + set->name +
                        " (cron " + cron.text() + ")\n\n[Timer]\n";
    for (const auto& calendar : systemd_calendar(cron)) timer += "OnCalendar=" + calendar + "\n";
    timer += "Persistent=true\nUnit=" + unit + "@" + set->name +
             ".service\n\n[Install]\nWantedBy=timers.target\n";
    files.push_back({target.directory() / (unit + "@" + set->name + ".timer"), timer});
  }
}

std::vector<ScheduleFile> systemd_files(const Schedules& schedules, const Schedules& verifies,
                                        const ScheduleTarget& target) {
  std::vector<ScheduleFile> files;
  add_systemd_units(schedules, target, false, files);
  if (!verifies.empty()) add_systemd_units(verifies, target, true, files);
  return files;
}

template <std::size_t N>
std::string calendar_list(const std::bitset<N>& bits, std::size_t first, std::size_t last) {
  bool all = true;
  for (std::size_t i = first; i <= last; ++i) all = all && bits[i];
  if (all) return "*";
  std::string list;
  for (std::size_t i = first; i <= last; ++i) {
    if (!bits[i]) continue;
    char number[8];
    std::snprintf(number, sizeof number, "%02zu", i);
    list += (list.empty() ? "" : ",") + std::string(number);
  }
  return list;
}

std::string weekday_list(const std::bitset<7>& days) {
  static const char* names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  std::string list;
  for (std::size_t i = 0; i < 7; ++i) {
    if (days[i]) list += (list.empty() ? "" : ",") + std::string(names[i]);
  }
  return list;
}

bool has_marker(const fs::path& path) {
  std::ifstream in(path);
  std::string first;
  return in && std::getline(in, first) && first.starts_with(kScheduleMarker);
}

}  // namespace

fs::path ScheduleTarget::directory() const {
  return root / (systemd ? "etc/systemd/system" : "etc/cron.d");
}

Result<std::vector<std::pair<const core::SetConfig*, CronExpression>>> parse_schedules(
    const core::Config& config) {
  std::vector<std::pair<const core::SetConfig*, CronExpression>> schedules;
  for (const auto& set : config.sets) {
    auto cron = CronExpression::parse(set.schedule.cron);
    if (!cron)
      return propagate(cron.error().with_context("[set '" + set.name + "'] schedule.cron"));
    schedules.emplace_back(&set, std::move(*cron));
  }
  return schedules;
}

Result<std::vector<std::pair<const core::SetConfig*, CronExpression>>> parse_verify_schedules(
    const core::Config& config) {
  std::vector<std::pair<const core::SetConfig*, CronExpression>> schedules;
  for (const auto& set : config.sets) {
    if (!set.schedule.verify_cron) continue;
    auto cron = CronExpression::parse(*set.schedule.verify_cron);
    if (!cron) {
      return propagate(cron.error().with_context("[set '" + set.name + "'] schedule.verify_cron"));
    }
    schedules.emplace_back(&set, std::move(*cron));
  }
  return schedules;
}

std::vector<std::string> systemd_calendar(const CronExpression& cron) {
  std::string time = calendar_list(cron.allowed_hours, 0, 23) + ":" +
                     calendar_list(cron.allowed_minutes, 0, 59) + ":00";
  std::string months = calendar_list(cron.allowed_months, 1, 12);
  std::string days = calendar_list(cron.allowed_days_of_month, 1, 31);
  bool every_weekday = cron.allowed_days_of_week.all();
  auto line = [&](bool weekdays, const std::string& day_list) {
    return (weekdays && !every_weekday ? weekday_list(cron.allowed_days_of_week) + " "
                                       : std::string()) +
           "*-" + months + "-" + day_list + " " + time;
  };
  if (cron.day_of_month_star || cron.day_of_week_star) return {line(true, days)};
  return {line(false, days), line(true, "*")};  // cron ORs the two day fields
}

Result<std::vector<ScheduleFile>> plan_schedule(const core::Config& config,
                                                const ScheduleTarget& target) {
  if (!only_characters(target.name, "_-")) {
    return usage_error("--name '" + target.name +
                       "': use letters, digits, '-' and '_' only (cron ignores other file names)");
  }
  for (const auto& set : config.sets) {
    if (!only_characters(set.name, "_.-")) {
      return usage_error("set '" + set.name +
                         "' cannot be scheduled: its name needs letters, digits, '.', '_', '-' "
                         "only to appear in a cron line or a unit name");
    }
  }
  TRY_ASSIGN(auto schedules, parse_schedules(config));
  TRY_ASSIGN(auto verifies, parse_verify_schedules(config));
  if (!target.systemd) {
    TRY_ASSIGN(auto file, cron_file(schedules, verifies, target));
    return std::vector<ScheduleFile>{file};
  }
  return systemd_files(schedules, verifies, target);
}

std::vector<fs::path> installed_schedule_files(const ScheduleTarget& target) {
  std::vector<fs::path> found;
  std::error_code error;
  if (!target.systemd) {
    auto path = target.directory() / target.name;
    if (fs::exists(path, error) && has_marker(path)) found.push_back(path);
    return found;
  }
  for (const auto& entry : fs::directory_iterator(target.directory(), error)) {
    auto file = entry.path().filename().string();
    bool ours = false;
    for (const std::string& unit : {target.name, target.name + "-verify"}) {
      ours = ours || file == unit + "@.service" ||
             (file.starts_with(unit + "@") && file.ends_with(".timer"));
    }
    if (ours && has_marker(entry.path())) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

Result<InstallReport> install_schedule(const core::Config& config, const ScheduleTarget& target) {
  TRY_ASSIGN(auto planned, plan_schedule(config, target));
  InstallReport report;
  std::error_code error;
  for (const auto& file : planned) {
    if (fs::exists(file.path, error)) {
      if (!has_marker(file.path)) {
        return fail(file.path.string() +
                    " exists and was not written by dbkeep; move it away or choose --name");
      }
      auto current = read_whole_file(file.path);
      if (current && *current == file.content) {
        report.unchanged.push_back(file.path);
        continue;
      }
    }
    TRY(write_file_atomically(file.path, file.content, 0644));
    report.written.push_back(file.path);
  }
  for (const auto& path : installed_schedule_files(target)) {
    bool planned_path = std::any_of(planned.begin(), planned.end(),
                                    [&path](const ScheduleFile& f) { return f.path == path; });
    if (planned_path) continue;
    if (!fs::remove(path, error))
      return fail("cannot remove " + path.string() + ": " + error.message());
    report.removed.push_back(path);
  }
  return report;
}

Result<std::vector<fs::path>> remove_schedule(const ScheduleTarget& target) {
  auto installed = installed_schedule_files(target);
  for (const auto& path : installed) {
    std::error_code error;
    if (!fs::remove(path, error))
      return fail("cannot remove " + path.string() + ": " + error.message());
  }
  return installed;
}

}  // namespace dbkeep::ops
