// The multi-threaded gzip compressor (pipeline/gzip_members.cpp): independent members in
// order, readable by the system's gzip, the configured level, and no thread left behind.

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dbkeep/core/executable_path.hpp"
#include "dbkeep/pipeline/codec.hpp"
#include "dbkeep/pipeline/codec_stages.hpp"
#include "support/byte_streams.hpp"
#include "support/run_command.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::pipeline {
namespace {

using detail::kGzipMemberBlock;
using test::bytes_of;
using test::mixed_data;
using test::StringSink;
using test::write_in_odd_chunks;

constexpr std::size_t kBlock = kGzipMemberBlock;

std::string gzip_with(int level, int threads, std::string_view data) {
  StringSink out;
  auto compressor = make_compressor({Codec::kGzip, level, threads}, out);
  auto written = write_in_odd_chunks(*compressor, data);
  EXPECT_TRUE(written) << written.error().message;
  EXPECT_TRUE(out.finished);
  return out.content;
}

Result<std::string> gunzip(std::string_view data) {
  StringSink out;
  auto decompressor = make_decompressor(Codec::kGzip, out);
  TRY(write_in_odd_chunks(*decompressor, data));
  return out.content;
}

// Members in a gzip stream, counted with zlib directly (inflate stops at each member's end).
int count_members(const std::string& gz) {
  z_stream stream{};
  if (inflateInit2(&stream, 31) != Z_OK) return -1;
  std::vector<unsigned char> out(64 * 1024);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  stream.avail_in = static_cast<uInt>(gz.size());
  int members = 0;
  while (stream.avail_in > 0) {
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    int code = inflate(&stream, Z_NO_FLUSH);
    if (code == Z_STREAM_END) {
      ++members;
      inflateReset(&stream);
    } else if (code != Z_OK) {
      members = -1;
      break;
    }
  }
  inflateEnd(&stream);
  return members;
}

std::filesystem::path write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::size_t thread_count() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return static_cast<std::size_t>(std::distance(begin(tasks), end(tasks)));
}

std::vector<std::size_t> sizes_around_the_block() {
  return {0, 1, kBlock - 1, kBlock, kBlock + 1, 7 * kBlock + 12345};
}

TEST(GzipMembersTest, RoundTripsSizesAroundTheBlock) {
  for (int threads : {2, 3}) {
    for (std::size_t size : sizes_around_the_block()) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", size " + std::to_string(size));
      std::string data = mixed_data(size, size + 1);
      std::string gz = gzip_with(6, threads, data);
      EXPECT_EQ(gz.substr(0, 2), "\x1f\x8b");
      EXPECT_EQ(count_members(gz),
                static_cast<int>(std::max<std::size_t>(1, (size + kBlock - 1) / kBlock)));
      auto restored = gunzip(gz);
      ASSERT_TRUE(restored) << restored.error().message;
      EXPECT_TRUE(*restored == data);  // not EXPECT_EQ: a failure would print megabytes
    }
  }
}

// Byte for byte what one single-threaded member per block gives: the level is the configured
// one, every member is independent of the others, and they come out in order.
TEST(GzipMembersTest, OutputIsEachBlockCompressedAloneAtTheConfiguredLevel) {
  std::string data = mixed_data(5 * kBlock + 777, 21);
  for (int level : {1, 6, 9}) {
    SCOPED_TRACE("level " + std::to_string(level));
    std::string expected;
    for (std::size_t offset = 0; offset < data.size(); offset += kBlock) {
      expected += gzip_with(level, 0, std::string_view(data).substr(offset, kBlock));
    }
    std::string gz = gzip_with(level, 4, data);
    EXPECT_TRUE(gz == expected);
    // XFL (RFC 1952): 4 = fastest, 2 = best, as zlib writes them for levels 1 and 9.
    EXPECT_EQ(static_cast<int>(gz[8]), level == 1 ? 4 : (level == 9 ? 2 : 0));
  }
}

TEST(GzipMembersTest, SystemGzipDecompressesTheOutput) {
  auto dir = test::make_temp_dir();
  for (std::size_t size : sizes_around_the_block()) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::string data = mixed_data(size, size + 2);
    auto file = write_file(dir.path() / "out.gz", gzip_with(6, 2, data));
    auto plain = test::run_command({"gzip", "-dc", file.string()});
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_TRUE(plain->stdout_text == data);
  }
}

TEST(GzipMembersTest, ReadsWhatGzipAndPigzWrite) {
  auto dir = test::make_temp_dir();
  std::string data = mixed_data(3 * kBlock + 99, 5);
  auto input = write_file(dir.path() / "data", data);
  std::vector<std::vector<std::string>> tools = {{"gzip", "-6", "-c"}};
  if (core::find_executable("pigz")) {
    tools.push_back({"pigz", "-6", "-p", "2", "-c"});
    tools.push_back({"pigz", "-6", "-p", "2", "-i", "-c"});  // independent blocks
  } else {
    ADD_FAILURE() << "pigz is not installed (scripts/install-deps installs it)";
  }
  for (auto argv : tools) {
    SCOPED_TRACE(argv.front() + (argv.size() > 5 ? " -i" : ""));
    argv.push_back(input.string());
    auto gz = test::run_command(argv);
    ASSERT_TRUE(gz) << gz.error().message;
    auto restored = gunzip(gz->stdout_text);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_TRUE(*restored == data);
  }
}

// Fails on the n-th write: the members before it reach the sink, then the error comes back.
class FailingAfterSink final : public ByteSink {
 public:
  explicit FailingAfterSink(int writes) : writes_left_(writes) {}
  Result<void> write(std::span<const std::byte>) override {
    if (writes_left_-- <= 0) return fail("disk full writing member");
    return {};
  }
  Result<void> finish() override { return {}; }

 private:
  int writes_left_;
};

TEST(GzipMembersTest, FailingSinkStopsEveryWorkerBeforeTheErrorReturns) {
  const std::size_t threads_before = thread_count();
  FailingAfterSink sink(3);
  auto compressor = make_compressor({Codec::kGzip, 1, 4}, sink);
  std::string data = mixed_data(20 * kBlock, 9);
  auto written = write_in_odd_chunks(*compressor, data);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, "disk full writing member");
  EXPECT_EQ(thread_count(), threads_before);  // joined, not merely told to stop
  EXPECT_FALSE(compressor->write(bytes_of("more")));
  EXPECT_FALSE(compressor->finish());
}

TEST(GzipMembersTest, DestroyingMidStreamJoinsEveryWorker) {
  const std::size_t threads_before = thread_count();
  {
    StringSink out;
    auto compressor = make_compressor({Codec::kGzip, 6, 3}, out);
    std::string data = mixed_data(6 * kBlock + 5, 10);
    ASSERT_TRUE(compressor->write(bytes_of(data)));
    EXPECT_GT(thread_count(), threads_before);
  }  // a cancelled store drops its compressor like this, without finish()
  EXPECT_EQ(thread_count(), threads_before);
}

TEST(GzipMembersTest, InvalidLevelIsAUsageErrorAndStartsNoThread) {
  const std::size_t threads_before = thread_count();
  StringSink out;
  auto compressor = make_compressor({Codec::kGzip, 12, 2}, out);
  auto written = compressor->write(bytes_of(mixed_data(2 * kBlock, 1)));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::kUsage);
  EXPECT_EQ(thread_count(), threads_before);
}

}  // namespace
}  // namespace dbkeep::pipeline
