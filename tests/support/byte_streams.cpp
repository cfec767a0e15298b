#include "support/byte_streams.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

namespace dbkeep::test {

std::string mixed_data(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string data;
  data.reserve(size);
  while (data.size() < size) {
    std::size_t stretch = std::min<std::size_t>(1 + random() % 5000, size - data.size());
    if (random() % 2 == 0) {
      data.append(stretch, static_cast<char>(random()));
    } else {
      for (std::size_t i = 0; i < stretch; ++i) data.push_back(static_cast<char>(random()));
    }
  }
  return data;
}

Result<void> StringSink::write(std::span<const std::byte> data) {
  content.append(reinterpret_cast<const char*>(data.data()), data.size());
  return {};
}

Result<void> StringSink::finish() {
  finished = true;
  return {};
}

Result<std::size_t> StringSource::read(std::span<std::byte> buffer) {
  std::size_t count = std::min({buffer.size(), max_read_, content_.size() - position_});
  std::memcpy(buffer.data(), content_.data() + position_, count);
  position_ += count;
  return count;
}

Result<void> write_in_odd_chunks(pipeline::ByteSink& sink, std::string_view data) {
  static constexpr std::array<std::size_t, 6> kChunkSizes = {1, 7, 4096, 65537, 131072, 333333};
  for (std::size_t i = 0; !data.empty(); ++i) {
    std::size_t count = std::min(kChunkSizes[i % kChunkSizes.size()], data.size());
    TRY(sink.write(bytes_of(data.substr(0, count))));
    data.remove_prefix(count);
  }
  return sink.finish();
}

}  // namespace dbkeep::test
