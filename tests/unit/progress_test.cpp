// core::ProgressMeter with an injected clock and output: formatting, rate, ETA, and when it
// draws in each style.

#include "dbkeep/core/progress.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dbkeep::core {
namespace {

using namespace std::chrono_literals;

struct Recorder {
  std::chrono::steady_clock::time_point now{};
  std::vector<std::pair<std::string, bool>> lines;

  ProgressMeter meter(std::uint64_t total, ProgressStyle style) {
    return ProgressMeter(
        "copying", total, style, [this] { return now; },
        [this](std::string_view line, bool terminal) { lines.emplace_back(line, terminal); });
  }
};

constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(ProgressTest, FormatsDoneTotalPercentRateAndEta) {
  ProgressState state{.done = 256 * kMiB,
                      .total = 1024 * kMiB,
                      .elapsed = 2000ms,
                      .bytes_per_second = 128.0 * kMiB,
                      .eta = 6s};
  EXPECT_EQ(format_progress(state), "256.0 MiB of 1.0 GiB (25%), 128.0 MiB/s, ETA 6.0 s");
  EXPECT_EQ(format_progress(ProgressState{.done = 0, .total = 10 * kMiB}), "0 B of 10.0 MiB (0%)");
}

TEST(ProgressTest, RateIsTheAverageSinceTheStartAndEtaTheRestAtThatRate) {
  Recorder recorder;
  auto meter = recorder.meter(1000 * kMiB, ProgressStyle::kOff);
  EXPECT_FALSE(meter.state().eta) << "no rate before any byte moved";
  recorder.now += 4s;
  meter.add(200 * kMiB);
  auto state = meter.state();
  EXPECT_EQ(state.done, 200 * kMiB);
  EXPECT_EQ(state.elapsed, 4000ms);
  EXPECT_DOUBLE_EQ(state.bytes_per_second, 50.0 * kMiB);
  ASSERT_TRUE(state.eta);
  EXPECT_EQ(*state.eta, 16s);  // 800 MiB left at 50 MiB/s
}

TEST(ProgressTest, EtaIsZeroWhenMoreThanTheTotalArrived) {
  Recorder recorder;
  auto meter = recorder.meter(10, ProgressStyle::kOff);
  recorder.now += 1s;
  meter.add(25);
  EXPECT_EQ(meter.state().eta, 0s);
  EXPECT_NE(format_progress(meter.state()).find("(100%)"), std::string::npos);
}

TEST(ProgressTest, TerminalRedrawsAtMostFiveTimesASecondAndEndsTheLine) {
  Recorder recorder;
  {
    auto meter = recorder.meter(100 * kMiB, ProgressStyle::kTerminal);
    recorder.now += 100ms;
    meter.add(kMiB);  // too soon after the start
    EXPECT_TRUE(recorder.lines.empty());
    recorder.now += 150ms;
    meter.add(kMiB);
    ASSERT_EQ(recorder.lines.size(), 1U);
    EXPECT_TRUE(recorder.lines[0].second);
    EXPECT_EQ(recorder.lines[0].first.rfind("copying: 2.0 MiB of 100.0 MiB (2%)", 0), 0U)
        << recorder.lines[0].first;
    recorder.now += 50ms;
    meter.add(kMiB);
    EXPECT_EQ(recorder.lines.size(), 1U);
  }  // the destructor finishes: final state, then a newline
  ASSERT_EQ(recorder.lines.size(), 3U);
  EXPECT_EQ(recorder.lines[1].first.rfind("copying: 3.0 MiB of 100.0 MiB", 0), 0U);
  EXPECT_EQ(recorder.lines[2].first, "\n");
}

TEST(ProgressTest, LogLinesEveryTenPercentOrTenSeconds) {
  Recorder recorder;
  auto meter = recorder.meter(100 * kMiB, ProgressStyle::kLogLines);
  recorder.now += 1s;
  meter.add(5 * kMiB);
  EXPECT_TRUE(recorder.lines.empty()) << "below 10 % and within 10 s";
  meter.add(6 * kMiB);  // 11 %
  ASSERT_EQ(recorder.lines.size(), 1U);
  EXPECT_FALSE(recorder.lines[0].second);
  meter.add(kMiB);  // 12 %: same step
  EXPECT_EQ(recorder.lines.size(), 1U);
  recorder.now += 10s;
  meter.add(kMiB);  // 13 %, but 10 s passed
  EXPECT_EQ(recorder.lines.size(), 2U);
  meter.add(87 * kMiB);  // 100 %: the end is not a step of its own
  EXPECT_EQ(recorder.lines.size(), 2U);
  meter.finish();
  EXPECT_EQ(recorder.lines.size(), 2U) << "log lines need no closing line";
}

TEST(ProgressTest, OffDrawsNothing) {
  Recorder recorder;
  auto meter = recorder.meter(10, ProgressStyle::kOff);
  recorder.now += 60s;
  meter.add(10);
  meter.finish();
  EXPECT_TRUE(recorder.lines.empty());
}

TEST(ProgressTest, StyleFollowsTheTerminalAndTheFlags) {
  EXPECT_EQ(choose_progress_style(true, false, false), ProgressStyle::kTerminal);
  EXPECT_EQ(choose_progress_style(false, false, false), ProgressStyle::kLogLines);
  EXPECT_EQ(choose_progress_style(true, true, false), ProgressStyle::kOff);
  EXPECT_EQ(choose_progress_style(true, false, true), ProgressStyle::kOff);
}

}  // namespace
}  // namespace dbkeep::core
