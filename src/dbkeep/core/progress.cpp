#include "dbkeep/core/progress.hpp"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"

namespace dbkeep::core {
namespace {

using std::chrono::milliseconds;

std::atomic<ProgressStyle> global_style{ProgressStyle::kLogLines};

constexpr milliseconds kTerminalInterval{200};
constexpr milliseconds kLogInterval{10000};

void default_output(std::string_view line, bool terminal) {
  if (!terminal) {
    log::info(line);
    return;
  }
  // \r + "erase to end of line": the line is redrawn in place.
  std::string text = "\r\033[K" + std::string(line);
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, text.data(), text.size());
}

std::string format_rate(double bytes_per_second) {
  return format_bytes(static_cast<std::uint64_t>(std::llround(bytes_per_second))) + "/s";
}

}  // namespace

void set_progress_style(ProgressStyle style) {
  global_style.store(style);
}
ProgressStyle progress_style() {
  return global_style.load();
}

ProgressStyle choose_progress_style(bool stderr_is_terminal, bool quiet, bool json) {
  if (quiet || json) return ProgressStyle::kOff;
  return stderr_is_terminal ? ProgressStyle::kTerminal : ProgressStyle::kLogLines;
}

std::string format_progress(const ProgressState& state) {
  std::string text = format_bytes(state.done) + " of " + format_bytes(state.total);
  if (state.total > 0) {
    const auto percent = std::min<std::uint64_t>(100, state.done * 100 / state.total);
    text += " (" + std::to_string(percent) + "%)";
  }
  if (state.bytes_per_second > 0) text += ", " + format_rate(state.bytes_per_second);
  if (state.eta) text += ", ETA " + format_duration(*state.eta);
  return text;
}

ProgressMeter::ProgressMeter(std::string label, std::uint64_t total, ProgressStyle style,
                             Clock clock, Output output)
    : label_(std::move(label)),
      total_(total),
      style_(style),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      output_(output ? std::move(output) : Output(default_output)),
      started_(clock_()),
      last_drawn_(started_) {}

ProgressMeter::~ProgressMeter() {
  finish();
}

void ProgressMeter::add(std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  done_ += bytes;  // counted in every style: state() reports it
  if (finished_ || style_ == ProgressStyle::kOff) return;
  const auto now = clock_();
  if (style_ == ProgressStyle::kTerminal) {
    if (now - last_drawn_ >= kTerminalInterval) draw_locked();
    return;
  }
  const int decile =
      total_ > 0 ? static_cast<int>(std::min<std::uint64_t>(done_, total_) * 10 / total_) : 0;
  if (now - last_drawn_ >= kLogInterval || (decile > last_decile_ && decile < 10)) {
    draw_locked();
  }
}

void ProgressMeter::finish() {
  if (style_ == ProgressStyle::kOff) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  // A log reader needs no "done" line for a copy that never showed progress; a terminal line
  // that was drawn must be completed with a newline.
  if (style_ == ProgressStyle::kTerminal && drawn_) {
    draw_locked();
    output_("\n", true);
  }
}

ProgressState ProgressMeter::state() const {
  std::lock_guard lock(mutex_);
  return state_locked();
}

ProgressState ProgressMeter::state_locked() const {
  ProgressState state;
  state.done = done_;
  state.total = total_;
  state.elapsed = std::chrono::duration_cast<milliseconds>(clock_() - started_);
  if (state.elapsed.count() > 0 && done_ > 0) {
    state.bytes_per_second = static_cast<double>(done_) * 1000.0 / state.elapsed.count();
    const auto left = total_ > done_ ? total_ - done_ : 0;
    state.eta = std::chrono::seconds(
        static_cast<std::int64_t>(std::ceil(static_cast<double>(left) / state.bytes_per_second)));
  }
  return state;
}

void ProgressMeter::draw_locked() {
  const auto state = state_locked();
  last_drawn_ = clock_();
  if (total_ > 0) {
    last_decile_ = static_cast<int>(std::min<std::uint64_t>(done_, total_) * 10 / total_);
  }
  drawn_ = true;
  output_(label_ + ": " + format_progress(state), style_ == ProgressStyle::kTerminal);
}

}  // namespace dbkeep::core
