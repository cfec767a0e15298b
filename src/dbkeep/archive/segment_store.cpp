#include "dbkeep/archive/segment_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "dbkeep/archive/binlog_events.hpp"
#include "dbkeep/pipeline/store.hpp"

namespace dbkeep::archive {
namespace {

// Magic, format description, then the spool range.
class SegmentSource final : public pipeline::ByteSource {
 public:
  explicit SegmentSource(const SegmentBytes& bytes) : bytes_(bytes), next_(bytes.from) {}

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    static constexpr std::array<std::byte, kBinlogMagicSize> kMagic = {
        std::byte{0xfe}, std::byte{'b'}, std::byte{'i'}, std::byte{'n'}};
    const auto& description = bytes_.format_description;
    if (head_done_ < kBinlogMagicSize + description.size()) {
      auto head = head_done_ < kBinlogMagicSize
                      ? std::span<const std::byte>(kMagic).subspan(head_done_)
                      : description.subspan(head_done_ - kBinlogMagicSize);
      std::size_t n = std::min(buffer.size(), head.size());
      std::memcpy(buffer.data(), head.data(), n);
      head_done_ += n;
      return n;
    }
    if (next_ >= bytes_.to) return std::size_t{0};
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), bytes_.to - next_));
    ssize_t got;
    do {
      got = ::pread(bytes_.spool_fd, buffer.data(), want, static_cast<off_t>(next_));
    } while (got < 0 && errno == EINTR);
    if (got < 0) return fail(std::string("cannot read the binlog spool: ") + std::strerror(errno));
    if (got == 0) return fail("the binlog spool file ended before the segment did");
    next_ += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }

 private:
  const SegmentBytes& bytes_;
  std::size_t head_done_ = 0;
  std::uint64_t next_ = 0;
};

}  // namespace

Result<void> store_segment(storage::Backend& backend, SegmentEntry& entry,
                           const SegmentBytes& bytes, const core::CodecOptions& codec) {
  const auto id = entry.id();
  SegmentSource source(bytes);
  TRY_ASSIGN(entry.stored,
             pipeline::store_stream(source, backend, id + ".binlog",
                                    segment_data_key(entry.set, id, codec.codec), codec));
  entry.stored.encrypted = backend.encrypts_contents();
  return storage::write_all(backend, segment_index_key(entry.set, id),
                            segment_to_json(entry).dump(2) + "\n");
}

}  // namespace dbkeep::archive
