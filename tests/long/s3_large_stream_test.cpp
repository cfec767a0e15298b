// A multi-GiB stream into S3 with bounded memory (issue 9): the physical method's backup tool is
// wrapped so that, after the real mariabackup has run (it writes the LSN files dbkeep records),
// it streams 2 GiB of /dev/urandom to dbkeep, which uploads it, uncompressed, as one multipart
// object to the loopback S3 server. A thread samples dbkeep's VmHWM (/proc/PID/status, peak
// resident memory; the wrapper writes dbkeep's pid, its parent's, to a file) until dbkeep exits.
// The peak must stay below (concurrency + 1) × part size — what the multipart writer holds —
// plus a fixed margin for the program itself: far below the stream's size, so buffering any
// fraction of the stream fails the test. `verify` then reads the object back under the same
// bound (ranged GETs, storage/s3_reader). Memory is asserted, never time.
//
// Disk: the S3 server holds the parts and then the assembled object (about 4 GiB at the peak),
// all removed when the test ends. Labelled `long` (ctest -LE long skips it).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/s3_server.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

constexpr std::uint64_t kStreamBytes = 2ULL << 30;
constexpr std::uint64_t kPartSize = 8ULL << 20;
constexpr int kConcurrency = 3;
// The program without its part buffers: code, libraries (curl, MariaDB Connector/C, sodium,
// zstd), 1 MiB pipeline buffers, thread stacks, the allocator's slack.
constexpr std::uint64_t kMargin = 64ULL << 20;

std::string read_text(const fs::path& path) {
  std::string text;
  std::getline(std::ifstream(path), text, '\0');
  return text;
}

// VmHWM of `pid` in bytes, 0 when the process is gone.
std::uint64_t peak_resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Samples the VmHWM of the process whose pid appears in `pid_file`, until it exits.
class PeakMemoryWatch {
 public:
  explicit PeakMemoryWatch(fs::path pid_file)
      : thread_([this, pid_file = std::move(pid_file)] { watch(pid_file); }) {}
  ~PeakMemoryWatch() { stop(); }
  std::uint64_t stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
    return peak_;
  }
  [[nodiscard]] int samples() const { return samples_; }

 private:
  void watch(const fs::path& pid_file) {
    pid_t pid = 0;
    while (!done_) {
      if (pid == 0 && fs::exists(pid_file)) pid = std::atoi(read_text(pid_file).c_str());
      if (pid > 0) {
        if (std::uint64_t now = peak_resident_bytes(pid); now > 0) {
          peak_ = std::max(peak_.load(), now);
          ++samples_;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::atomic<bool> done_{false};
  std::atomic<std::uint64_t> peak_{0};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

class S3LargeStreamTest : public MariaDbTestSuite {};

TEST_F(S3LargeStreamTest, TwoGibibytesUploadWithMemoryBoundedByPartSizeTimesConcurrency) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's shadow memory and quarantine are not dbkeep's memory";
#endif
  DBKEEP_SKIP_WITHOUT_S3();
  auto started = S3Server::start();
  ASSERT_TRUE(started) << started.error().message;
  auto s3 = std::move(*started);

  PhysicalWorkspace workspace(server());
  const fs::path pid_file = workspace.dir() / "dbkeep.pid";
  workspace.wrap_tool("echo $PPID > " + pid_file.string() +
                      "\n/usr/bin/mariabackup \"$@\" > /dev/null || exit $?\n"
                      "exec head -c " +
                      std::to_string(kStreamBytes) + " /dev/urandom");

  // The workspace's config, moved to S3 with a fixed part size and concurrency.
  for (const auto& [name, value] :
       {std::pair{"key_id", S3Server::access_key()}, std::pair{"secret", S3Server::secret_key()}}) {
    std::ofstream(workspace.dir() / name) << value << "\n";
    fs::permissions(workspace.dir() / name, fs::perms::owner_read | fs::perms::owner_write);
  }
  std::string config = read_text(workspace.config());
  const std::string local = "path = \"" + (workspace.dir() / "repo").string() + "\"\n";
  ASSERT_NE(config.find(local), std::string::npos) << config;
  config.replace(config.find(local), local.size(),
                 "url = \"s3://" + S3Server::bucket() + "/big\"\nendpoint = \"" + s3->endpoint() +
                     "\"\naccess_key_id_file = \"" + (workspace.dir() / "key_id").string() +
                     "\"\nsecret_access_key_file = \"" + (workspace.dir() / "secret").string() +
                     "\"\npart_size = \"8M\"\nconcurrency = " + std::to_string(kConcurrency) +
                     "\n");
  const std::string method = "method = \"physical\"\n";
  config.insert(config.find(method) + method.size(), "compression = \"none\"\n");
  std::ofstream(workspace.config()) << config;

  PeakMemoryWatch watch(pid_file);
  auto backup = workspace.dbkeep_json({"backup"});
  const std::uint64_t peak = watch.stop();
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];

  const std::uint64_t bound = (kConcurrency + 1) * kPartSize + kMargin;
  std::cerr << "[ memory   ] dbkeep peak RSS " << (peak >> 20) << " MiB over " << watch.samples()
            << " samples for a " << (kStreamBytes >> 20) << " MiB stream; bound " << (bound >> 20)
            << " MiB\n";
  EXPECT_GT(watch.samples(), 10) << "dbkeep's memory was not observed";
  EXPECT_GT(peak, 0U);
  EXPECT_LT(peak, bound);

  // The whole stream is in S3, as one object, and no multipart upload is left open.
  storage::s3::S3Backend raw(s3->backend_options("big/"));
  auto listed = raw.list("db/" + id + "/");
  ASSERT_TRUE(listed) << listed.error().message;
  std::uint64_t data_bytes = 0;
  for (const auto& object : *listed) {
    if (object.key.ends_with("backup.xbstream")) data_bytes = object.size;
  }
  EXPECT_EQ(data_bytes, kStreamBytes);
  auto pending = s3->pending_uploads();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());

  // Reading it back: `verify` streams the 2 GiB object through ranged GETs (part_size each,
  // `concurrency` in flight) and checks its SHA-256, holding (concurrency + 1) ranges at most.
  const fs::path verify_pid_file = workspace.dir() / "verify.pid";
  core::SpawnOptions verify_options;
  verify_options.argv = {DBKEEP_BINARY, "--config", workspace.config().string(), "verify", id};
  verify_options.pipe_stdout = true;
  PeakMemoryWatch verify_watch(verify_pid_file);
  auto verifying = core::ChildProcess::spawn(verify_options);
  ASSERT_TRUE(verifying) << verifying.error().message;
  std::ofstream(verify_pid_file) << verifying->pid() << "\n";
  auto verified = verifying->wait();
  const std::uint64_t verify_peak = verify_watch.stop();
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->success()) << verified->describe();
  std::cerr << "[ memory   ] dbkeep verify peak RSS " << (verify_peak >> 20) << " MiB over "
            << verify_watch.samples() << " samples reading the " << (kStreamBytes >> 20)
            << " MiB object back; bound " << (bound >> 20) << " MiB\n";
  EXPECT_GT(verify_watch.samples(), 10) << "verify's memory was not observed";
  EXPECT_LT(verify_peak, bound);

  auto stats = s3->stats();
  ASSERT_TRUE(stats);
  std::cerr << "[ s3       ] requests " << *stats << "\n";
}

}  // namespace
}  // namespace dbkeep::test
