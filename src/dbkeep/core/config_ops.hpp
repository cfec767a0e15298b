#pragma once
// Parsing of the operations sections of the configuration: [set.schedule], [set.hooks],
// [notify] and [metrics]. Internal to config.cpp; kept apart so that file stays about sets.

#include <filesystem>
#include <string>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/config_table.hpp"

namespace dbkeep::core {

Result<ScheduleConfig> parse_schedule(ConfigTable table);
Result<HooksConfig> parse_hooks(ConfigTable table);
Result<DaemonConfig> parse_daemon(ConfigTable table);
Result<NotifyConfig> parse_notify(ConfigTable table);
Result<MetricsConfig> parse_metrics(ConfigTable table);

}  // namespace dbkeep::core
