#include "dbkeep/archive/archive_verify.hpp"

#include <cstring>

#include "dbkeep/archive/binlog_events.hpp"
#include "dbkeep/pipeline/byte_sink.hpp"
#include "dbkeep/pipeline/store.hpp"

namespace dbkeep::archive {
namespace {

// Walks the plaintext of one segment: the magic number, then event headers whose sizes must
// tile the stream exactly. Keeps at most one header's worth of bytes.
class EventWalk final : public pipeline::ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    for (std::size_t used = 0; used < data.size();) {
      if (offset_ < kBinlogMagicSize) {
        if (data[used] != static_cast<std::byte>("\xfe"
                                                 "bin"[offset_])) {
          return fail("it does not start with the binlog magic number");
        }
        ++offset_;
        ++used;
        next_event_ = kBinlogMagicSize;
        continue;
      }
      if (offset_ < next_event_) {  // inside an event's body
        auto skip = std::min<std::uint64_t>(next_event_ - offset_, data.size() - used);
        offset_ += skip;
        used += skip;
        continue;
      }
      header_.push_back(data[used]);
      ++offset_;
      ++used;
      if (header_.size() < kEventHeaderSize) continue;
      auto header = parse_event_header(header_);
      if (!header) return fail("damaged event header at offset " + std::to_string(next_event_));
      next_event_ += header->size;
      header_.clear();
      ++events_;
    }
    return {};
  }
  Result<void> finish() override {
    if (offset_ < kBinlogMagicSize || !header_.empty() || offset_ != next_event_) {
      return fail("it ends inside an event");
    }
    return {};
  }
  [[nodiscard]] std::uint64_t events() const { return events_; }

 private:
  std::uint64_t offset_ = 0;
  std::uint64_t next_event_ = 0;
  std::uint64_t events_ = 0;
  std::vector<std::byte> header_;
};

}  // namespace

ArchiveVerifyReport verify_archive(storage::Backend& backend, const ArchiveCatalog& catalog,
                                   const std::string& set) {
  ArchiveVerifyReport report{.set = set};
  for (const auto& problem : catalog.problems) report.problems.push_back(problem);
  for (const auto& gap : catalog.gaps) {
    report.problems.push_back("gap after segment " + catalog.entries[gap.before].id() + ": " +
                              gap.reason);
  }
  for (std::size_t i = 0; i < catalog.entries.size(); ++i) {
    const auto& entry = catalog.entries[i];
    EventWalk walk;
    auto fetched = pipeline::fetch_stream(backend, entry.stored, walk);
    if (!fetched) {
      report.problems.push_back("archived segment " + entry.id() + ": " + fetched.error().message);
      report.bad_segments.push_back(i);
      continue;
    }
    // The format description event comes first, then at least the events the entry counted.
    if (walk.events() < entry.events + 1) {
      report.problems.push_back("archived segment " + entry.id() + " holds " +
                                std::to_string(walk.events() - 1) + " events, its index entry " +
                                std::to_string(entry.events));
      report.bad_segments.push_back(i);
      continue;
    }
    ++report.segments_checked;
    report.bytes_checked += entry.stored.size;
  }
  return report;
}

}  // namespace dbkeep::archive
