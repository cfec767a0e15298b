#include "dbkeep/archive/binlog_archiver.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "dbkeep/archive/archive_catalog.hpp"
#include "dbkeep/archive/resume_point.hpp"
#include "dbkeep/archive/segment_store.hpp"
#include "dbkeep/archive/spool_file.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/private_directory.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"
#include "dbkeep/source/mysql/physical_tool.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::archive {
namespace {

using Clock = std::chrono::steady_clock;

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the archiver needs to know of the server before it starts reading.
Result<ServerHistory> inspect_server(const core::MysqlConfig& mysql) {
  TRY_ASSIGN(auto connection,
             source::mysql::Connection::connect(source::mysql::connection_options(mysql)));
  TRY_ASSIGN(auto version, source::mysql::probe_version(connection));
  TRY_ASSIGN(auto log_bin, connection.query_single_value("SELECT @@log_bin"));
  if (!log_bin || *log_bin != "1") {
    return usage_error(
        "binary logging is off on the server: start it with log_bin (and a server_id) to "
        "archive its binary log");
  }
  ServerHistory state;
  TRY_ASSIGN(auto server_id, connection.query_single_value("SELECT @@server_id"));
  state.server_id = static_cast<std::uint32_t>(std::stoul(server_id.value_or("0")));
  if (version.flavor != source::mysql::Flavor::kMariaDb) {
    TRY_ASSIGN(auto uuid, connection.query_single_value("SELECT @@server_uuid"));
    state.server_uuid = uuid.value_or("");
  } else {
    TRY_ASSIGN(auto gtid, connection.query_single_value("SELECT @@gtid_binlog_pos"));
    state.gtid_binlog_pos = gtid.value_or("");
  }
  TRY_ASSIGN(auto logs, connection.query("SHOW BINARY LOGS"));
  for (std::size_t row = 0; row < logs.rows.size(); ++row) {
    auto name = logs.value(row, "Log_name");
    auto size = logs.value(row, "File_size");
    if (name) state.binlogs.emplace_back(*name, size ? std::stoull(*size) : 0);
  }
  if (state.binlogs.empty()) return fail("the server lists no binary logs (SHOW BINARY LOGS)");
  return state;
}

// The pid of a mariadb-binlog a killed archiver left running on this work directory.
void stop_leftover_client(const std::filesystem::path& pid_file,
                          const std::filesystem::path& work_dir) {
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 1) return;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  if (text.find(work_dir.string()) == std::string::npos) return;  // not ours (pid reused)
  log::warn("stopping the binlog client (pid " + std::to_string(pid) +
            ") a killed archiver left running");
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 50 && ::kill(pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
}

// The spool file after `current` (same base name, next higher number), if the client has
// started one.
std::optional<std::string> next_spool_file(const std::filesystem::path& spool,
                                           const std::string& current) {
  std::string base;
  auto number = binlog_file_number(current, &base);
  if (!number) return std::nullopt;
  std::optional<std::pair<std::uint64_t, std::string>> best;
  std::error_code error;
  for (const auto& item : std::filesystem::directory_iterator(spool, error)) {
    auto name = item.path().filename().string();
    std::string other_base;
    auto other = binlog_file_number(name, &other_base);
    if (!other || other_base != base || *other <= *number) continue;
    if (!best || *other < best->first) best = std::pair{*other, name};
  }
  if (!best) return std::nullopt;
  return best->second;
}

class Archiver {
 public:
  Archiver(const core::SetConfig& set, storage::Backend& backend, const ArchiverOptions& options)
      : set_(set), backend_(backend), options_(options), host_(host_name()) {}

  Result<void> run();

 private:
  Result<void> resume_from_catalog();
  Result<void> follow(const BinlogPoint& start);
  Result<void> drain();
  Result<void> handle(const SpoolEvent& event);
  Result<void> cut();
  void read_client_errors(int timeout_ms);

  const core::SetConfig& set_;
  storage::Backend& backend_;
  const ArchiverOptions& options_;
  const std::string host_;
  std::filesystem::path spool_dir_;

  std::optional<BinlogPoint> position_;  // after the last stored event: where the archive is
  std::uint64_t next_sequence_ = 1;
  std::uint32_t last_server_id_ = 0;
  std::string last_server_uuid_;
  std::string last_gtid_;  // of the last stored transaction, when it had one
  ServerHistory server_;
  bool start_at_oldest_ = false;  // the client said the resume point does not exist

  std::string current_file_;
  std::optional<SpoolFile> spool_;
  std::vector<std::byte> format_description_;
  bool checksum_ = true;
  TransactionTracker tracker_;
  std::uint64_t events_this_run_ = 0;
  std::string client_errors_;
  core::Fd client_stderr_;

  struct OpenSegment {
    SegmentEntry entry;
    std::uint64_t from = 0;
    std::uint64_t to = 0;
    Clock::time_point opened;
  };
  std::optional<OpenSegment> open_;
};

Result<void> Archiver::resume_from_catalog() {
  TRY_ASSIGN(auto catalog, load_archive(backend_, set_.name));
  for (const auto& problem : catalog.problems) log::warn("archive: " + problem);
  for (const auto& orphan : catalog.orphan_objects) {
    log::info("removing " + orphan + ": a segment a killed archiver did not finish");
    TRY(backend_.remove(orphan));
  }
  std::uint64_t highest = 0;
  for (const auto& entry : catalog.entries) highest = std::max(highest, entry.sequence);
  next_sequence_ = highest + 1;
  if (!catalog.empty()) {
    const auto& last = catalog.last();
    position_ = last.end;
    last_server_id_ = last.server_id;
    last_server_uuid_ = last.server_uuid;
    last_gtid_ = last.last_gtid;
    log::info("archive of set '" + set_.name + "' resumes after " + last.end.text() + " (segment " +
              std::to_string(last.sequence) + ")");
  }
  return {};
}

void Archiver::read_client_errors(int timeout_ms) {
  if (!client_stderr_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  pollfd descriptor{client_stderr_.get(), POLLIN, 0};
  if (::poll(&descriptor, 1, timeout_ms) <= 0) return;
  char buffer[4096];
  ssize_t got = ::read(client_stderr_.get(), buffer, sizeof buffer);
  if (got <= 0) {
    client_stderr_.reset();
    return;
  }
  client_errors_.append(buffer, static_cast<std::size_t>(got));
  if (client_errors_.size() > 8192) client_errors_.erase(0, client_errors_.size() - 8192);
}

Result<void> Archiver::handle(const SpoolEvent& event) {
  const auto& header = event.header;
  if (header.is(EventType::kFormatDescription)) {
    format_description_.assign(event.bytes.begin(), event.bytes.end());
    checksum_ = format_has_checksum(event.bytes);
    tracker_.set_checksum(checksum_);
    return {};
  }
  if (header.is(EventType::kHeartbeat)) return {};
  if (header.is(EventType::kRotate) &&
      ((header.flags & kArtificialEventFlag) != 0 || header.timestamp == 0)) {
    return {};
  }
  if (position_ && position_->file == current_file_ && header.end_position != 0 &&
      header.end_position <= position_->position) {
    return {};  // re-sent after a reconnect: already stored
  }
  if (format_description_.empty()) {
    return fail(spool_->path().string() + ": an event before the format description event");
  }
  if (!open_) {
    OpenSegment segment;
    segment.entry.set = set_.name;
    segment.entry.host = host_;
    segment.entry.follows = position_.value_or(BinlogPoint{current_file_, kBinlogMagicSize});
    segment.entry.file = current_file_;
    segment.entry.start_position = header.start_position();
    segment.entry.first_event_time = header.timestamp;
    segment.entry.server_id = server_.server_id;
    segment.entry.server_uuid = server_.server_uuid;
    segment.from = event.offset;
    segment.opened = Clock::now();
    open_ = std::move(segment);
  }
  auto& entry = open_->entry;
  auto place = tracker_.feed(header, event.bytes);
  ++entry.events;
  ++events_this_run_;
  entry.last_event_time = std::max<std::int64_t>(entry.last_event_time, header.timestamp);
  if (place == EventPlace::kTransactionEnd) {
    ++entry.transactions;
    if (tracker_.gtid()) {
      if (entry.first_gtid.empty()) entry.first_gtid = tracker_.gtid()->text;
      entry.last_gtid = tracker_.gtid()->text;
    }
  }
  open_->to = event.offset + header.size;
  position_ = BinlogPoint{current_file_, header.end_position};
  entry.end = *position_;
  if (header.is(EventType::kRotate) || header.is(EventType::kStop) ||
      open_->to - open_->from >= options_.max_segment_bytes) {
    TRY(cut());
  }
  return {};
}

Result<void> Archiver::cut() {
  if (!open_) return {};
  auto& entry = open_->entry;
  entry.sequence = next_sequence_;
  entry.stored_at = now_seconds();
  SegmentBytes bytes{format_description_, spool_->fd(), open_->from, open_->to};
  TRY(store_segment(backend_, entry, bytes, set_.codec));
  log::info("archived segment " + entry.id() + ": " + std::to_string(entry.events) + " events, " +
            std::to_string(entry.transactions) + " transactions, up to " + entry.end.text());
  if (options_.on_segment) options_.on_segment(entry);
  ++next_sequence_;
  last_server_id_ = entry.server_id;
  last_server_uuid_ = entry.server_uuid;
  if (!entry.last_gtid.empty()) last_gtid_ = entry.last_gtid;
  open_.reset();
  return {};
}

Result<void> Archiver::drain() {
  while (true) {
    if (!spool_) {
      auto path = spool_dir_ / current_file_;
      std::error_code error;
      if (!std::filesystem::exists(path, error)) {
        // The client starts a file only after the server's rotate; one further on means the
        // one we wait for was skipped (never seen in practice: report it rather than guess).
        if (auto next = next_spool_file(spool_dir_, current_file_))
          current_file_ = *next;
        else
          return {};
        continue;
      }
      TRY_ASSIGN(auto file, SpoolFile::open(path));
      spool_ = std::move(file);
      format_description_.clear();
    }
    TRY(spool_->read_available([this](const SpoolEvent& event) { return handle(event); }));
    // The client writes the rest of a file before it creates the next one, so once the next
    // exists, what remains of this one is already on disk.
    auto next = next_spool_file(spool_dir_, current_file_);
    if (!next) return {};
    TRY(spool_->read_available([this](const SpoolEvent& event) { return handle(event); }));
    TRY(cut());
    std::error_code ignored;
    std::filesystem::remove(spool_->path(), ignored);
    spool_.reset();
    current_file_ = *next;
  }
}

Result<void> Archiver::follow(const BinlogPoint& start) {
  std::error_code ignored;
  std::filesystem::remove_all(spool_dir_, ignored);
  TRY(core::create_private_directories(spool_dir_));
  auto defaults = options_.work_dir / "client.cnf";
  std::filesystem::remove(defaults, ignored);
  TRY_ASSIGN(auto connection, source::mysql::resolved_connection_options(*set_.mysql));
  TRY(source::mysql::write_defaults_file(defaults, connection));

  core::SpawnOptions spawn;
  spawn.argv = {options_.tool,
                "--defaults-file=" + defaults.string(),
                "--read-from-remote-server",
                "--raw",
                "--stop-never",
                "--stop-never-slave-server-id=" + std::to_string(set_.archive.server_id),
                "--start-position=" + std::to_string(start.position),
                "--result-file=" + spool_dir_.string() + "/",
                start.file};
  spawn.pipe_stderr = true;
  TRY_ASSIGN(auto client, core::ChildProcess::spawn(spawn));
  client_stderr_ = std::move(client.stderr_fd());
  client_errors_.clear();
  {
    std::ofstream pid_file(options_.work_dir / "mariadb-binlog.pid", std::ios::trunc);
    pid_file << client.pid() << "\n";
  }
  current_file_ = start.file;
  spool_.reset();
  format_description_.clear();
  log::info("archiving the binary log of set '" + set_.name + "' from " + start.text());

  const auto segment_time = std::chrono::seconds(set_.archive.segment_seconds);
  std::optional<core::ExitStatus> ended;
  while (true) {
    TRY(drain());
    if (open_ && Clock::now() - open_->opened >= segment_time) TRY(cut());
    if (ended) break;
    if (core::cancellation_requested()) {
      ended = client.terminate(std::chrono::milliseconds(2000));
      continue;  // one more drain of what it wrote before it stopped
    }
    ended = client.try_wait();
    if (!ended) read_client_errors(100);
  }
  read_client_errors(0);
  TRY(cut());
  std::filesystem::remove(options_.work_dir / "mariadb-binlog.pid", ignored);
  if (!core::cancellation_requested()) {
    std::string message = client_errors_;
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
      message.pop_back();
    }
    log::warn("the binlog client for set '" + set_.name + "' ended (" + ended->describe() + ")" +
              (message.empty() ? "" : ": " + message));
    if (message.find("Could not find first log file") != std::string::npos ||
        message.find("position > file size") != std::string::npos) {
      start_at_oldest_ = true;
    }
  }
  return {};
}

Result<void> Archiver::run() {
  TRY(core::create_private_directories(options_.work_dir));
  spool_dir_ = options_.work_dir / "spool";
  stop_leftover_client(options_.work_dir / "mariadb-binlog.pid", options_.work_dir);
  TRY(resume_from_catalog());

  auto backoff = std::chrono::seconds(1);
  bool first_attempt = true;
  while (!core::cancellation_requested()) {
    auto server = inspect_server(*set_.mysql);
    if (!server) {
      if (first_attempt || server.error().kind == ErrorKind::kUsage)
        return std::unexpected(server.error());
      log::warn("archive of set '" + set_.name + "': " + server.error().message +
                "; trying again in " + std::to_string(backoff.count()) + " s");
    } else {
      server_ = std::move(*server);
      BinlogPoint start{server_.binlogs.front().first, kBinlogMagicSize};
      std::string problem;
      if (position_) {
        problem = start_at_oldest_
                      ? "the server does not have it any more (the binlog client said so)"
                      : resume_problem({*position_, last_server_id_, last_server_uuid_, last_gtid_},
                                       server_);
      }
      if (position_ && problem.empty()) {
        start = *position_;
      } else if (position_) {
        std::string gap = "the archive ended at " + position_->text() + ", but " + problem +
                          "; archiving restarts at " + start.text();
        log::warn("archive of set '" + set_.name + "' has a gap: " + gap +
                  "; take a new base backup to recover past this point");
        if (options_.on_gap) options_.on_gap(*position_, gap);
        position_ = start;
      }
      start_at_oldest_ = false;
      auto before = events_this_run_;
      TRY(follow(start));
      if (events_this_run_ > before) backoff = std::chrono::seconds(1);
    }
    first_attempt = false;
    for (auto waited = std::chrono::milliseconds(0);
         waited < backoff && !core::cancellation_requested();
         waited += std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    backoff = std::min(backoff * 2, std::chrono::seconds(30));
  }
  return {};
}

}  // namespace

Result<void> run_binlog_archiver(const core::SetConfig& set, storage::Backend& backend,
                                 const ArchiverOptions& options) {
  if (!set.mysql) return usage_error("set '" + set.name + "' is not a MySQL set");
  Archiver archiver(set, backend, options);
  return archiver.run();
}

}  // namespace dbkeep::archive
