#pragma once
// The files `dbkeep schedule install` writes for the configured sets: one /etc/cron.d file with
// a line per set, or a systemd template service <name>@.service plus a timer
// <name>@<set>.timer per set. Sets with a verify_cron also get a restore-test line (cron) or
// <name>-verify@.service and <name>-verify@<set>.timer (systemd). Every file starts with
// kScheduleMarker; remove and install only ever touch files that carry it, so a hand-written cron
// file of the same name is left alone.

#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/ops/cron_expression.hpp"

namespace dbkeep::ops {

inline constexpr std::string_view kScheduleMarker = "# Managed by dbkeep";

struct ScheduleTarget {
  std::filesystem::path root = "/";  // prefix for /etc/cron.d and /etc/systemd/system (tests)
  std::string name = "dbkeep";       // cron.d file name, or systemd unit prefix
  bool systemd = false;
  std::filesystem::path binary;       // absolute path of the dbkeep executable to run
  std::filesystem::path config_file;  // absolute path of the configuration to pass
  // The account the scheduled runs use: cron.d's user field, systemd's User=. The command
  // checks it is an account on this machine (snapshot methods need root).
  std::string user = "root";

  [[nodiscard]] std::filesystem::path directory() const;  // <root>/etc/cron.d or …/systemd/system
};

struct ScheduleFile {
  std::filesystem::path path;
  std::string content;
};

// Parses every set's cron expression; the first invalid one is a usage error naming the set.
Result<std::vector<std::pair<const core::SetConfig*, CronExpression>>> parse_schedules(
    const core::Config& config);

// Parses every set's verify_cron (sets without one are left out), like parse_schedules.
Result<std::vector<std::pair<const core::SetConfig*, CronExpression>>> parse_verify_schedules(
    const core::Config& config);

// systemd OnCalendar= values equivalent to `cron` (two when day of month and day of week are
// both restricted, since cron ORs them).
std::vector<std::string> systemd_calendar(const CronExpression& cron);

// The files install would write, validated (names, cron syntax, characters cron cannot carry).
Result<std::vector<ScheduleFile>> plan_schedule(const core::Config& config,
                                                const ScheduleTarget& target);

// Paths of installed files that carry the marker (for the target's kind and name).
std::vector<std::filesystem::path> installed_schedule_files(const ScheduleTarget& target);

struct InstallReport {
  std::vector<std::filesystem::path> written;
  std::vector<std::filesystem::path> unchanged;
  std::vector<std::filesystem::path> removed;  // timers of sets no longer configured
};

// Writes the planned files (atomically, 0644), leaving identical ones untouched. Refuses to
// overwrite a file without the marker.
Result<InstallReport> install_schedule(const core::Config& config, const ScheduleTarget& target);

// Removes the installed files that carry the marker; returns them.
Result<std::vector<std::filesystem::path>> remove_schedule(const ScheduleTarget& target);

}  // namespace dbkeep::ops
