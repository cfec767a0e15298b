#include "dbkeep/pipeline/codec.hpp"

#include <gtest/gtest.h>
#include <zstd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <vector>

#include "dbkeep/core/sha256.hpp"
#include "support/byte_streams.hpp"

namespace dbkeep::pipeline {
namespace {

using core::Sha256;

using test::bytes_of;
using test::mixed_data;
using test::StringSink;
using test::write_in_odd_chunks;

Result<std::string> compress(const CodecOptions& options, std::string_view data) {
  StringSink out;
  auto compressor = make_compressor(options, out);
  TRY(write_in_odd_chunks(*compressor, data));
  if (!out.finished) return fail("compressor did not finish downstream");
  return out.content;
}

Result<std::string> decompress(Codec codec, std::string_view data) {
  StringSink out;
  auto decompressor = make_decompressor(codec, out);
  TRY(write_in_odd_chunks(*decompressor, data));
  return out.content;
}

TEST(CodecNamesTest, NamesParseBackAndUnknownNamesDoNot) {
  for (Codec codec : {Codec::kNone, Codec::kZstd, Codec::kGzip}) {
    EXPECT_EQ(parse_codec(codec_name(codec)), codec);
  }
  EXPECT_EQ(codec_extension(Codec::kZstd), ".zst");
  EXPECT_EQ(codec_extension(Codec::kGzip), ".gz");
  EXPECT_EQ(codec_extension(Codec::kNone), "");
  EXPECT_FALSE(parse_codec("lz4"));
  EXPECT_FALSE(parse_codec("ZSTD"));
}

class CodecRoundTripTest : public testing::TestWithParam<CodecOptions> {};

// Sizes around every buffer the stages use, plus empty and a few MiB.
std::vector<std::size_t> interesting_sizes() {
  std::vector<std::size_t> sizes = {0, 1, 2, 100, 4095, 4096, 4097, 65535, 65536, 65537};
  for (std::size_t boundary :
       {ZSTD_CStreamInSize(), ZSTD_CStreamOutSize(), ZSTD_DStreamInSize(), ZSTD_DStreamOutSize(),
        std::size_t{128 * 1024}, std::size_t{1024 * 1024}}) {
    sizes.insert(sizes.end(), {boundary - 1, boundary, boundary + 1});
  }
  sizes.push_back(5 * 1024 * 1024 + 3);
  return sizes;
}

TEST_P(CodecRoundTripTest, RestoresEveryByteForManySizes) {
  for (std::size_t size : interesting_sizes()) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::string data = mixed_data(size, size);
    auto compressed = compress(GetParam(), data);
    ASSERT_TRUE(compressed) << compressed.error().message;
    auto restored = decompress(GetParam().codec, *compressed);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(restored->size(), data.size());
    EXPECT_TRUE(*restored == data);  // not EXPECT_EQ: a failure would print megabytes
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllCodecs, CodecRoundTripTest,
    testing::Values(CodecOptions{Codec::kNone, 0, 0}, CodecOptions{Codec::kZstd, 3, 0},
                    CodecOptions{Codec::kZstd, 1, 2}, CodecOptions{Codec::kGzip, 0, 0},
                    CodecOptions{Codec::kGzip, 9, 0}, CodecOptions{Codec::kGzip, 6, 2},
                    CodecOptions{Codec::kGzip, 1, 4}),
    [](const auto& info) {
      return std::string(codec_name(info.param.codec)) + "_level" +
             std::to_string(info.param.level) + "_threads" + std::to_string(info.param.threads);
    });

TEST(CodecTest, CompressorsWriteTheirFormatAndShrinkRepetitiveData) {
  std::string data(1024 * 1024, 'x');
  auto zstd = compress({Codec::kZstd, 3, 0}, data);
  auto gzip = compress({Codec::kGzip, 6, 0}, data);
  ASSERT_TRUE(zstd && gzip);
  EXPECT_EQ(zstd->substr(0, 4), "\x28\xb5\x2f\xfd");  // zstd frame magic
  EXPECT_EQ(gzip->substr(0, 2), "\x1f\x8b");          // gzip member magic
  EXPECT_LT(zstd->size(), data.size() / 100);
  EXPECT_LT(gzip->size(), data.size() / 100);
}

class DamagedInputTest : public testing::TestWithParam<Codec> {};

TEST_P(DamagedInputTest, FlippedBytesAreReportedAsVerificationErrors) {
  std::string data = mixed_data(300 * 1024, 7);
  auto compressed = compress({GetParam(), 0, 0}, data);
  ASSERT_TRUE(compressed);
  // Not every header byte is protected (gzip's MTIME, zstd's window size), but the magic,
  // the compressed body and the trailer (checksum, length) are.
  for (std::size_t offset :
       {std::size_t{0}, std::size_t{20}, compressed->size() / 2, compressed->size() - 1}) {
    SCOPED_TRACE("offset " + std::to_string(offset));
    std::string damaged = *compressed;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x01);
    auto restored = decompress(GetParam(), damaged);
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().kind, ErrorKind::kVerification) << restored.error().message;
  }
}

TEST_P(DamagedInputTest, TruncatedStreamsFailOnFinish) {
  std::string data = mixed_data(300 * 1024, 8);
  auto compressed = compress({GetParam(), 0, 0}, data);
  ASSERT_TRUE(compressed);
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{3}, compressed->size() / 2, compressed->size() - 1}) {
    SCOPED_TRACE("kept " + std::to_string(keep));
    auto restored = decompress(GetParam(), compressed->substr(0, keep));
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().kind, ErrorKind::kVerification);
    EXPECT_NE(restored.error().message.find("truncated"), std::string::npos)
        << restored.error().message;
  }
}

TEST_P(DamagedInputTest, ConcatenatedStreamsDecodeAndTrailingGarbageDoesNot) {
  auto first = compress({GetParam(), 0, 0}, "hello, ");
  auto second = compress({GetParam(), 0, 0}, "world");
  ASSERT_TRUE(first && second);
  auto joined = decompress(GetParam(), *first + *second);
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(*joined, "hello, world");
  EXPECT_FALSE(decompress(GetParam(), *first + "garbage that is no stream"));
}

INSTANTIATE_TEST_SUITE_P(CompressingCodecs, DamagedInputTest,
                         testing::Values(Codec::kZstd, Codec::kGzip),
                         [](const auto& info) { return std::string(codec_name(info.param)); });

// A sink that always fails, to check errors from downstream come back unchanged.
class FullDiskSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::byte>) override { return fail("disk full writing X"); }
  Result<void> finish() override { return {}; }
};

TEST(CodecTest, DownstreamErrorsPassThroughAndTheStageStaysFailed) {
  for (Codec codec : {Codec::kNone, Codec::kZstd, Codec::kGzip}) {
    SCOPED_TRACE(codec_name(codec));
    FullDiskSink sink;
    auto compressor = make_compressor({codec, 1, 0}, sink);
    std::string data = mixed_data(2 * 1024 * 1024, 3);
    auto written = write_in_odd_chunks(*compressor, data);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().kind, ErrorKind::kFailed);
    EXPECT_EQ(written.error().message, "disk full writing X");
    if (codec != Codec::kNone) {
      EXPECT_FALSE(compressor->write(bytes_of("more")));
    }
  }
}

TEST(CodecTest, WritingAfterFinishIsAnError) {
  StringSink out;
  auto compressor = make_compressor({Codec::kZstd, 3, 0}, out);
  ASSERT_TRUE(compressor->finish());
  EXPECT_FALSE(compressor->write(bytes_of("late")));
  EXPECT_FALSE(compressor->finish());
}

TEST(CodecTest, InvalidGzipLevelIsAUsageError) {
  StringSink out;
  auto compressor = make_compressor({Codec::kGzip, 12, 0}, out);
  auto written = compressor->write(bytes_of("data"));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::kUsage);
}

// Deterministic, partly compressible bytes made on the fly: copies from a random pool
// alternate with runs of one byte. Nothing but the pool is held in memory.
class GeneratedSource final : public ByteSource {
 public:
  explicit GeneratedSource(std::uint64_t size) : left_(size), pool_(4 * 1024 * 1024) {
    for (auto& byte : pool_) byte = static_cast<std::byte>(next_random());
  }

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    std::size_t filled = 0;
    while (filled < buffer.size() && left_ > 0) {
      if (segment_left_ == 0) start_segment();
      std::size_t count =
          std::min({buffer.size() - filled, segment_left_,
                    static_cast<std::size_t>(std::min<std::uint64_t>(left_, SIZE_MAX))});
      if (segment_is_run_) {
        std::memset(buffer.data() + filled, static_cast<int>(run_byte_), count);
      } else {
        std::memcpy(buffer.data() + filled, pool_.data() + pool_offset_, count);
        pool_offset_ += count;
      }
      filled += count;
      segment_left_ -= count;
      left_ -= count;
    }
    return filled;
  }

 private:
  std::uint64_t next_random() {  // xorshift64*
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  void start_segment() {
    std::uint64_t random = next_random();
    segment_left_ = 1 + (random >> 8) % 8192;
    segment_is_run_ = (random & 1) != 0;
    run_byte_ = static_cast<unsigned char>(random >> 1);
    pool_offset_ = (random >> 24) % (pool_.size() - segment_left_);
  }

  std::uint64_t left_;
  std::vector<std::byte> pool_;
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
  std::size_t segment_left_ = 0;
  bool segment_is_run_ = false;
  unsigned char run_byte_ = 0;
  std::size_t pool_offset_ = 0;
};

// Counts and hashes what reaches the end of the chain.
class DigestSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    size += data.size();
    hash.update(data);
    return {};
  }
  Result<void> finish() override {
    finished = true;
    return {};
  }
  Sha256 hash;
  std::uint64_t size = 0;
  bool finished = false;
};

// Counts compressed bytes between compressor and decompressor.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink& downstream) : downstream_(downstream) {}
  Result<void> write(std::span<const std::byte> data) override {
    size += data.size();
    return downstream_.write(data);
  }
  Result<void> finish() override { return downstream_.finish(); }
  std::uint64_t size = 0;

 private:
  ByteSink& downstream_;
};

// Compressor feeds decompressor directly: the whole stream never exists in memory at once.
TEST(LargeStreamTest, ZstdTwoThreadsRoundTripsMoreThanOneGiBInBoundedMemory) {
  constexpr std::uint64_t kSize = (std::uint64_t{1} << 30) + 4099;
  auto started = std::chrono::steady_clock::now();
  DigestSink restored;
  auto decompressor = make_decompressor(Codec::kZstd, restored);
  CountingSink compressed(*decompressor);
  auto compressor = make_compressor({Codec::kZstd, 1, 2}, compressed);

  GeneratedSource source(kSize);
  Sha256 original_hash;
  std::uint64_t original_size = 0;
  std::vector<std::byte> buffer(1024 * 1024);
  for (;;) {
    auto got = source.read(buffer);
    ASSERT_TRUE(got);
    if (*got == 0) break;
    auto chunk = std::span(buffer).first(*got);
    original_hash.update(chunk);
    original_size += *got;
    auto written = compressor->write(chunk);
    ASSERT_TRUE(written) << written.error().message;
  }
  auto finished = compressor->finish();
  ASSERT_TRUE(finished) << finished.error().message;

  EXPECT_TRUE(restored.finished);
  EXPECT_EQ(original_size, kSize);
  EXPECT_EQ(restored.size, kSize);
  EXPECT_EQ(restored.hash.finish_hex(), original_hash.finish_hex());
  // Partly compressible by construction: zstd must find the runs but cannot shrink the rest.
  EXPECT_LT(compressed.size, kSize * 9 / 10);
  EXPECT_GT(compressed.size, kSize / 4);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::cout << "[ timing   ] " << kSize << " bytes through zstd -1 -T2 and back in "
            << seconds.count() << " s (compressed " << compressed.size << " bytes)\n";
}

}  // namespace
}  // namespace dbkeep::pipeline
