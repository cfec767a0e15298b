#pragma once
// The Prometheus textfile-collector file ([metrics] file = "/var/lib/node_exporter/dbkeep.prom"):
// one gauge family per fact, one sample per set, labelled {set="…"}. Rewritten atomically after
// every run, every archived segment and every archive check, from the run records and archive
// records of all sets, so node_exporter never reads half a file and a run of one set keeps the
// others' samples.

#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/ops/archive_record.hpp"
#include "dbkeep/ops/run_record.hpp"

namespace dbkeep::ops {

// The file's text for these records (sets in the given order).
std::string render_metrics(const std::vector<RunRecord>& records,
                           const std::vector<ArchiveRecord>& archives = {});

Result<void> write_metrics(const std::filesystem::path& file, const std::vector<RunRecord>& records,
                           const std::vector<ArchiveRecord>& archives = {});

// Rewrites [metrics] file (when configured) from the records of every configured set.
Result<void> refresh_metrics(const core::Config& config);

}  // namespace dbkeep::ops
