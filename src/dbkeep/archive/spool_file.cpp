#include "dbkeep/archive/spool_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace dbkeep::archive {
namespace {

Result<void> read_exactly(int fd, std::uint64_t offset, std::span<std::byte> into,
                          const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < into.size()) {
    ssize_t got =
        ::pread(fd, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail("cannot read " + path.string() + ": " + std::strerror(errno));
    if (got == 0) return fail("cannot read " + path.string() + ": it became shorter");
    done += static_cast<std::size_t>(got);
  }
  return {};
}

}  // namespace

bool needs_event_body(const EventHeader& header) {
  return header.is(EventType::kFormatDescription) || header.is(EventType::kRotate) ||
         header.is(EventType::kQuery) || header.is(EventType::kMariadbGtid) ||
         header.is(EventType::kMysqlGtid) || header.is(EventType::kMysqlAnonymousGtid);
}

Result<SpoolFile> SpoolFile::open(const std::filesystem::path& path) {
  core::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail("cannot open " + path.string() + ": " + std::strerror(errno));
  return SpoolFile(path, std::move(fd));
}

Result<std::size_t> SpoolFile::read_available(const EventHandler& handler) {
  struct stat status {};
  if (::fstat(fd_.get(), &status) != 0) {
    return fail("cannot stat " + path_.string() + ": " + std::strerror(errno));
  }
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (offset_ == 0) {
    if (size < kBinlogMagicSize) return std::size_t{0};
    std::array<std::byte, kBinlogMagicSize> magic{};
    TRY(read_exactly(fd_.get(), 0, magic, path_));
    if (std::memcmp(magic.data(),
                    "\xfe"
                    "bin",
                    kBinlogMagicSize) != 0) {
      return fail(path_.string() + " does not start with the binary log magic number");
    }
    offset_ = kBinlogMagicSize;
  }
  std::size_t handed = 0;
  std::array<std::byte, kEventHeaderSize> header_bytes{};
  while (offset_ + kEventHeaderSize <= size) {
    TRY(read_exactly(fd_.get(), offset_, header_bytes, path_));
    auto header = parse_event_header(header_bytes);
    if (!header) {
      return fail(path_.string() + ": no valid event header at offset " + std::to_string(offset_) +
                  " (the binlog stream is damaged)");
    }
    if (offset_ + header->size > size) break;  // the rest has not been written yet
    SpoolEvent event{*header, offset_, {}};
    if (needs_event_body(*header)) {
      buffer_.resize(header->size);
      TRY(read_exactly(fd_.get(), offset_, buffer_, path_));
      event.bytes = buffer_;
    }
    TRY(handler(event));
    offset_ += header->size;
    ++handed;
  }
  return handed;
}

}  // namespace dbkeep::archive
