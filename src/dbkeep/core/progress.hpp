#pragma once
// Progress of a long copy (bytes done of a known total, rate, ETA), shown the way the output
// allows: a line redrawn in place on stderr when it is a terminal, plain log lines every
// 10 s or 10 % otherwise, nothing with --quiet/--json. One piece for every method: a source or
// job makes a ProgressMeter for its copy and feeds it from the store's on_progress callback.
//
//   core::ProgressMeter meter("copying the datadir", total_bytes);
//   TRY(session.store_files(batch, [&](std::uint64_t n) { meter.add(n); }));
//   meter.finish();
//
// The CLI decides the style once per process (set_progress_style); tests inject a clock and an
// output to check the formatting, rate and ETA without waiting.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace dbkeep::core {

enum class ProgressStyle {
  kOff,       // --json, --quiet: nothing
  kLogLines,  // stderr is not a terminal (cron, systemd, pipes): an info line now and then
  kTerminal,  // stderr is a terminal: one line redrawn in place
};

// Process-wide; the CLI sets it after parsing the global flags. Default: kLogLines.
void set_progress_style(ProgressStyle style);
ProgressStyle progress_style();
// The style for these flags: kTerminal only when stderr is a TTY and neither flag is given.
ProgressStyle choose_progress_style(bool stderr_is_terminal, bool quiet, bool json);

struct ProgressState {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::chrono::milliseconds elapsed{0};
  double bytes_per_second = 0;              // average since the start
  std::optional<std::chrono::seconds> eta;  // unknown until some bytes moved
};

// "1.2 GiB of 4.0 GiB (30%), 85.3 MiB/s, ETA 34s"
std::string format_progress(const ProgressState& state);

class ProgressMeter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // (line, terminal): terminal lines are drawn in place; others are log lines.
  using Output = std::function<void(std::string_view line, bool terminal)>;

  // `clock` and `output` default to the steady clock and stderr / the log.
  ProgressMeter(std::string label, std::uint64_t total, ProgressStyle style = progress_style(),
                Clock clock = {}, Output output = {});
  ~ProgressMeter();  // finish() unless called
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  // Thread-safe: counts `bytes` and draws when it is time (terminal: 5 times a second; log
  // lines: every 10 s or each 10 % step).
  void add(std::uint64_t bytes);
  // Draws the final state (terminal: then ends the line). Only the first call acts.
  void finish();
  [[nodiscard]] ProgressState state() const;

 private:
  ProgressState state_locked() const;
  void draw_locked();

  std::string label_;
  std::uint64_t total_;
  ProgressStyle style_;
  Clock clock_;
  Output output_;
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_drawn_;
  std::uint64_t done_ = 0;
  int last_decile_ = 0;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace dbkeep::core
