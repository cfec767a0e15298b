#include "dbkeep/archive/binlog_replay.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dbkeep/archive/binlog_events.hpp"
#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/pipeline/byte_sink.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"
#include "dbkeep/source/mysql/option_file.hpp"
#include "dbkeep/source/mysql/physical_tool.hpp"

namespace dbkeep::archive {
namespace {

// Events that describe a binlog file rather than change data: the GTID state at its start, the
// crash-recovery checkpoint, the rotation and stop at its end. In one replay file spanning
// several binlogs they would mislead the decoder (a second Gtid_list event fails
// mariadb-binlog's GTID strict-mode check), and the server needs none of them.
bool is_file_bookkeeping(const EventHeader& header) {
  return header.is(EventType::kMariadbGtidList) || header.is(EventType::kMariadbBinlogCheckpoint) ||
         header.is(EventType::kMysqlPreviousGtids) || header.is(EventType::kRotate) ||
         header.is(EventType::kStop) || header.is(EventType::kHeartbeat);
}

// Receives the decompressed segments one after another and writes the events to replay.
class ReplaySink final : public pipeline::ByteSink {
 public:
  ReplaySink(int fd, std::filesystem::path path, const ReplayPlan& plan, const ReplayTarget& target,
             ReplayedRange& result)
      : fd_(fd), path_(std::move(path)), plan_(plan), target_(target), result_(result) {}

  Result<void> begin_file() {
    static constexpr std::array<std::byte, kBinlogMagicSize> kMagic = {
        std::byte{0xfe}, std::byte{'b'}, std::byte{'i'}, std::byte{'n'}};
    TRY(core::write_fully(fd_, kMagic, path_));
    offset_ = boundary_ = kBinlogMagicSize;
    return {};
  }

  void begin_segment(const SegmentEntry& entry) {
    pending_.clear();
    magic_checked_ = false;
    segment_ = &entry;
  }

  [[nodiscard]] bool stopped() const { return stopped_; }
  [[nodiscard]] bool target_reached() const { return target_reached_; }

  Result<void> write(std::span<const std::byte> data) override {
    pending_.insert(pending_.end(), data.begin(), data.end());
    std::size_t used = 0;
    if (!magic_checked_) {
      if (pending_.size() < kBinlogMagicSize) return {};
      if (std::memcmp(pending_.data(),
                      "\xfe"
                      "bin",
                      kBinlogMagicSize) != 0) {
        return fail("segment " + segment_->id() + " does not start with the binlog magic number");
      }
      used = kBinlogMagicSize;
      magic_checked_ = true;
    }
    while (pending_.size() - used >= kEventHeaderSize) {
      auto rest = std::span<const std::byte>(pending_).subspan(used);
      auto header = parse_event_header(rest);
      if (!header) {
        return fail("segment " + segment_->id() + " holds a damaged event header");
      }
      if (rest.size() < header->size) break;
      TRY(handle(*header, rest.first(header->size)));
      used += header->size;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
    return {};
  }

  Result<void> finish() override {
    if (!pending_.empty()) {
      return fail("segment " + segment_->id() + " ends inside an event");
    }
    return {};
  }

  // Drops a transaction left open at the end (its commit is not archived) and stops there.
  Result<void> cut_at_last_boundary() {
    if (::ftruncate(fd_, static_cast<off_t>(boundary_)) != 0) {
      return fail("cannot truncate " + path_.string() + ": " + std::strerror(errno));
    }
    if (::lseek(fd_, static_cast<off_t>(boundary_), SEEK_SET) < 0) {
      return fail("cannot seek in " + path_.string() + ": " + std::strerror(errno));
    }
    offset_ = boundary_;
    result_ = committed_;
    result_.bytes = boundary_;
    return {};
  }

 private:
  Result<void> handle(const EventHeader& header, std::span<const std::byte> event) {
    if (stopped_) return {};
    if (header.is(EventType::kFormatDescription)) {
      tracker_.set_checksum(format_has_checksum(event));
      if (segment_->file != described_file_) {
        TRY(append(event));
        described_file_ = segment_->file;
      }
      return {};
    }
    if (segment_->file == plan_.from.file && header.end_position <= plan_.from.position) {
      return {};  // in the base backup already
    }
    if (is_file_bookkeeping(header)) return {};
    auto place = tracker_.feed(header, event);
    if (target_.kind == TargetKind::kTime && place != EventPlace::kInsideTransaction &&
        static_cast<std::int64_t>(header.timestamp) > target_.time) {
      stopped_ = true;
      target_reached_ = true;
      return cut_at_last_boundary();
    }
    TRY(append(event));
    ++committed_.events;
    if (place == EventPlace::kInsideTransaction) return {};
    boundary_ = offset_;
    committed_.end = BinlogPoint{segment_->file, header.end_position};
    if (place == EventPlace::kTransactionEnd) {
      ++committed_.transactions;
      committed_.last_commit_time = header.timestamp;
      committed_.last_gtid = tracker_.gtid() ? tracker_.gtid()->text : "";
      if (target_.kind == TargetKind::kGtid && committed_.last_gtid == target_.gtid) {
        stopped_ = true;
        target_reached_ = true;
        return cut_at_last_boundary();
      }
    }
    return {};
  }

  Result<void> append(std::span<const std::byte> event) {
    TRY(core::write_fully(fd_, event, path_));
    offset_ += event.size();
    return {};
  }

  int fd_;
  std::filesystem::path path_;
  const ReplayPlan& plan_;
  const ReplayTarget& target_;
  ReplayedRange& result_;
  ReplayedRange committed_;  // up to the last boundary written
  const SegmentEntry* segment_ = nullptr;
  std::vector<std::byte> pending_;
  bool magic_checked_ = false;
  std::string described_file_;
  TransactionTracker tracker_;
  std::uint64_t offset_ = 0;
  std::uint64_t boundary_ = 0;
  bool stopped_ = false;
  bool target_reached_ = false;
};

}  // namespace

Result<ReplayedRange> write_replay_file(storage::Backend& backend, const ArchiveCatalog& catalog,
                                        const ReplayPlan& plan, const ReplayTarget& target,
                                        const std::filesystem::path& out) {
  core::Fd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return fail("cannot create " + out.string() + ": " + std::strerror(errno));
  ReplayedRange result;
  ReplaySink sink(fd.get(), out, plan, target, result);
  TRY(sink.begin_file());
  for (auto index : plan.segments) {
    const auto& entry = catalog.entries[index];
    sink.begin_segment(entry);
    auto fetched = pipeline::fetch_stream(backend, entry.stored, sink);
    if (!fetched) {
      auto error = fetched.error();
      error.message = "archived segment " + entry.id() + " (" + entry.follows.text() + " to " +
                      entry.end.text() + "): " + error.message;
      return std::unexpected(error);
    }
    if (sink.stopped()) break;
  }
  if (!sink.stopped()) TRY(sink.cut_at_last_boundary());
  if (target.kind == TargetKind::kGtid && !sink.target_reached()) {
    return usage_error("transaction " + target.gtid + " is not in the archive after backup " +
                       plan.base_id + " (" + plan.from.text() + "); nothing was applied");
  }
  // Not synced: a scratch file read back at once, from the page cache, and thrown away; a
  // crash loses the whole restore anyway. (Syncing 2 GiB cost seconds the bench saw.)
  return result;
}

Result<void> apply_replay_file(const std::filesystem::path& file,
                               const source::mysql::ConnectionOptions& target,
                               const ApplyOptions& options) {
  TRY_ASSIGN(auto connection, source::mysql::with_option_file_values(target));
  auto defaults = options.scratch_dir / "replay-client.cnf";
  std::error_code ignored;
  std::filesystem::remove(defaults, ignored);
  TRY(source::mysql::write_defaults_file(defaults, connection));

  core::SpawnOptions decoder;
  decoder.argv = {options.binlog_tool};
  if (options.skip_binlog) decoder.argv.push_back("--disable-log-bin");
  decoder.argv.push_back(file.string());
  decoder.pipe_stdout = true;
  core::SpawnOptions client;
  client.argv = {options.client, "--defaults-file=" + defaults.string(), "--binary-mode",
                 "--max-allowed-packet=1G"};
  if (options.load_grant_tables_first) client.argv.push_back("--init-command=FLUSH PRIVILEGES");
  client.pipe_stderr = true;
  TRY_ASSIGN(auto decoding, core::ChildProcess::spawn(decoder));
  // mariadb-binlog's output goes straight into the client, as in `mariadb-binlog | mariadb`:
  // pumping gigabytes of decoded events through this process cost a third more CPU and time.
  client.stdin_from = decoding.stdout_fd().get();
  TRY_ASSIGN(auto applying, core::ChildProcess::spawn(client));
  decoding.stdout_fd().reset();
  std::string client_errors;
  char text[4096];
  ssize_t got;
  while ((got = ::read(applying.stderr_fd().get(), text, sizeof text)) > 0) {
    if (client_errors.size() < 16384) client_errors.append(text, static_cast<std::size_t>(got));
  }
  TRY_ASSIGN(auto client_status, applying.wait());
  TRY_ASSIGN(auto decoder_status, decoding.wait());
  while (!client_errors.empty() && client_errors.back() == '\n') client_errors.pop_back();
  if (!client_status.success()) {
    return fail("replaying the archived binary log into the server failed (mariadb " +
                client_status.describe() + ")" +
                (client_errors.empty() ? "" : ": " + client_errors));
  }
  if (!decoder_status.success()) {
    return fail("mariadb-binlog could not decode the replay file (" + decoder_status.describe() +
                ")");
  }
  return {};
}

}  // namespace dbkeep::archive
