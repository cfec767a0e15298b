// gzip stages over zlib (deflate/inflate with windowBits 31: gzip header and trailer): the
// one-member compressor used without threads, and the decompressor of every gzip stream.

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "dbkeep/pipeline/codec_stages.hpp"
#include "dbkeep/pipeline/gzip_common.hpp"

namespace dbkeep::pipeline::detail {
namespace {

constexpr std::size_t kOutputSize = 128 * 1024;
// zlib counts in uInt; larger inputs are fed in slices of at most this size.
constexpr std::size_t kMaxSlice = UINT_MAX;

// The whole stream as one gzip member, compressed on the caller's thread.
class GzipCompressor final : public ByteSink {
 public:
  GzipCompressor(int level, ByteSink& downstream) : output_(kOutputSize), downstream_(downstream) {
    auto checked = gzip_level(level);
    if (!checked) {
      state_.fail_with(checked.error());
      return;
    }
    if (auto started = init_gzip_deflate(stream_, *checked); !started) {
      state_.fail_with(started.error());
      return;
    }
    initialised_ = true;
  }
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;
  ~GzipCompressor() override {
    if (initialised_) deflateEnd(&stream_);
  }

  Result<void> write(std::span<const std::byte> data) override {
    TRY(state_.usable());
    while (!data.empty()) {
      auto slice = data.first(std::min(data.size(), kMaxSlice));
      data = data.subspan(slice.size());
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(slice.data()));
      stream_.avail_in = static_cast<uInt>(slice.size());
      // Z_NO_FLUSH consumes all input; a full output buffer means more output may follow.
      do {
        TRY(state_.record(step(Z_NO_FLUSH)));
      } while (stream_.avail_out == 0);
    }
    return {};
  }

  Result<void> finish() override {
    TRY(state_.usable());
    stream_.avail_in = 0;
    while (!ended_) TRY(state_.record(step(Z_FINISH)));
    state_.mark_finished();
    return downstream_.finish();
  }

 private:
  Result<void> step(int flush) {
    stream_.next_out = reinterpret_cast<Bytef*>(output_.data());
    stream_.avail_out = static_cast<uInt>(output_.size());
    int code = deflate(&stream_, flush);
    if (code == Z_STREAM_ERROR)
      return fail("gzip compression failed: " + zlib_message(stream_, code));
    ended_ = code == Z_STREAM_END;
    std::size_t produced = output_.size() - stream_.avail_out;
    if (produced > 0) return downstream_.write(std::span(output_).first(produced));
    return {};
  }

  z_stream stream_{};
  bool initialised_ = false;
  bool ended_ = false;
  std::vector<std::byte> output_;
  ByteSink& downstream_;
  StageState state_;
};

// Accepts one gzip member or several concatenated ones (as `cat a.gz b.gz` makes); anything
// after a member that is not another valid member is corrupt data.
class GzipDecompressor final : public ByteSink {
 public:
  explicit GzipDecompressor(ByteSink& downstream) : output_(kOutputSize), downstream_(downstream) {
    int code = inflateInit2(&stream_, kGzipWindowBits);
    if (code != Z_OK) {
      state_.fail_with(Error{ErrorKind::kFailed, "gzip: " + zlib_message(stream_, code)});
      return;
    }
    initialised_ = true;
  }
  GzipDecompressor(const GzipDecompressor&) = delete;
  GzipDecompressor& operator=(const GzipDecompressor&) = delete;
  ~GzipDecompressor() override {
    if (initialised_) inflateEnd(&stream_);
  }

  Result<void> write(std::span<const std::byte> data) override {
    TRY(state_.usable());
    while (!data.empty()) {
      auto slice = data.first(std::min(data.size(), kMaxSlice));
      data = data.subspan(slice.size());
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(slice.data()));
      stream_.avail_in = static_cast<uInt>(slice.size());
      while (stream_.avail_in > 0 || output_full_) TRY(state_.record(step()));
    }
    return {};
  }

  Result<void> finish() override {
    TRY(state_.usable());
    if (!member_ended_) {
      return state_.fail_with(
          Error{ErrorKind::kVerification, "truncated gzip stream (it ends inside a member)"});
    }
    state_.mark_finished();
    return downstream_.finish();
  }

 private:
  Result<void> step() {
    if (member_ended_ && stream_.avail_in > 0) {
      if (inflateReset(&stream_) != Z_OK) return fail("gzip: cannot reset the decoder");
      member_ended_ = false;
    }
    stream_.next_out = reinterpret_cast<Bytef*>(output_.data());
    stream_.avail_out = static_cast<uInt>(output_.size());
    int code = inflate(&stream_, Z_NO_FLUSH);
    if (code == Z_DATA_ERROR || code == Z_NEED_DICT) {
      return fail("corrupt gzip data: " + zlib_message(stream_, code), ErrorKind::kVerification);
    }
    if (code == Z_STREAM_ERROR || code == Z_MEM_ERROR) {
      return fail("gzip decompression failed: " + zlib_message(stream_, code));
    }
    member_ended_ = code == Z_STREAM_END;  // Z_BUF_ERROR only means "no progress possible"
    output_full_ = stream_.avail_out == 0;
    std::size_t produced = output_.size() - stream_.avail_out;
    if (produced > 0) return downstream_.write(std::span(output_).first(produced));
    return {};
  }

  z_stream stream_{};
  bool initialised_ = false;
  bool member_ended_ = false;
  bool output_full_ = false;
  std::vector<std::byte> output_;
  ByteSink& downstream_;
  StageState state_;
};

}  // namespace

std::unique_ptr<ByteSink> make_gzip_compressor(int level, int threads, ByteSink& downstream) {
  if (threads >= 2) return make_gzip_member_compressor(level, threads, downstream);
  return std::make_unique<GzipCompressor>(level, downstream);
}

std::unique_ptr<ByteSink> make_gzip_decompressor(ByteSink& downstream) {
  return std::make_unique<GzipDecompressor>(downstream);
}

}  // namespace dbkeep::pipeline::detail
