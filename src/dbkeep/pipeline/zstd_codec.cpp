// zstd stages over the libzstd streaming API (ZSTD_compressStream2 / ZSTD_decompressStream).

#include <zstd.h>

#include <string>
#include <vector>

#include "dbkeep/pipeline/codec_stages.hpp"

namespace dbkeep::pipeline::detail {
namespace {

std::span<const std::byte> produced(const std::vector<std::byte>& buffer,
                                    const ZSTD_outBuffer& output) {
  return std::span(buffer).first(output.pos);
}

class ZstdCompressor final : public ByteSink {
 public:
  ZstdCompressor(int level, int threads, ByteSink& downstream)
      : context_(ZSTD_createCCtx()), output_(ZSTD_CStreamOutSize()), downstream_(downstream) {
    if (context_ == nullptr) {
      state_.fail_with(Error{ErrorKind::kFailed, "zstd: cannot allocate a compression context"});
      return;
    }
    // Errors here (bad level, libzstd without threads) surface on the first write/finish.
    state_.record(set(ZSTD_c_compressionLevel, level));
    if (threads > 0) state_.record(set(ZSTD_c_nbWorkers, threads));
    // A content checksum in every frame: a second, codec-level check on fetch.
    state_.record(set(ZSTD_c_checksumFlag, 1));
  }
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;
  ~ZstdCompressor() override { ZSTD_freeCCtx(context_); }

  Result<void> write(std::span<const std::byte> data) override {
    TRY(state_.usable());
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    while (input.pos < input.size) TRY(state_.record(step(input, ZSTD_e_continue)));
    return {};
  }

  Result<void> finish() override {
    TRY(state_.usable());
    ZSTD_inBuffer input{nullptr, 0, 0};
    while (!frame_ended_) TRY(state_.record(step(input, ZSTD_e_end)));
    state_.mark_finished();
    return downstream_.finish();
  }

 private:
  Result<void> set(ZSTD_cParameter parameter, int value) {
    std::size_t code = ZSTD_CCtx_setParameter(context_, parameter, value);
    if (ZSTD_isError(code)) {
      return fail(std::string("zstd: cannot set parameter: ") + ZSTD_getErrorName(code),
                  ErrorKind::kUsage);
    }
    return {};
  }

  Result<void> step(ZSTD_inBuffer& input, ZSTD_EndDirective mode) {
    ZSTD_outBuffer output{output_.data(), output_.size(), 0};
    std::size_t remaining = ZSTD_compressStream2(context_, &output, &input, mode);
    if (ZSTD_isError(remaining)) {
      return fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(remaining));
    }
    frame_ended_ = mode == ZSTD_e_end && remaining == 0;
    if (output.pos > 0) return downstream_.write(produced(output_, output));
    return {};
  }

  ZSTD_CCtx* context_;
  std::vector<std::byte> output_;
  ByteSink& downstream_;
  StageState state_;
  bool frame_ended_ = false;
};

class ZstdDecompressor final : public ByteSink {
 public:
  explicit ZstdDecompressor(ByteSink& downstream)
      : context_(ZSTD_createDCtx()), output_(ZSTD_DStreamOutSize()), downstream_(downstream) {
    if (context_ == nullptr) {
      state_.fail_with(Error{ErrorKind::kFailed, "zstd: cannot allocate a decompression context"});
    }
  }
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;
  ~ZstdDecompressor() override { ZSTD_freeDCtx(context_); }

  Result<void> write(std::span<const std::byte> data) override {
    TRY(state_.usable());
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    if (input.size > 0) saw_input_ = true;
    while (input.pos < input.size || output_full_) TRY(state_.record(step(input)));
    return {};
  }

  Result<void> finish() override {
    TRY(state_.usable());
    if (!saw_input_ || inside_frame_) {
      return state_.fail_with(
          Error{ErrorKind::kVerification, "truncated zstd stream (it ends inside a frame)"});
    }
    state_.mark_finished();
    return downstream_.finish();
  }

 private:
  // One call of ZSTD_decompressStream; concatenated frames simply continue.
  Result<void> step(ZSTD_inBuffer& input) {
    ZSTD_outBuffer output{output_.data(), output_.size(), 0};
    std::size_t consumed_before = input.pos;
    std::size_t hint = ZSTD_decompressStream(context_, &output, &input);
    if (ZSTD_isError(hint)) {
      return fail(std::string("corrupt zstd data: ") + ZSTD_getErrorName(hint),
                  ErrorKind::kVerification);
    }
    // 0 means a frame just ended and is fully flushed. A call that did nothing (flushing an
    // already finished frame) returns the header size of a next frame: not "inside" one.
    if (input.pos != consumed_before || output.pos > 0) inside_frame_ = hint != 0;
    output_full_ = output.pos == output.size;  // more output may wait inside the context
    if (output.pos > 0) return downstream_.write(produced(output_, output));
    return {};
  }

  ZSTD_DCtx* context_;
  std::vector<std::byte> output_;
  ByteSink& downstream_;
  StageState state_;
  bool saw_input_ = false;
  bool inside_frame_ = false;
  bool output_full_ = false;
};

}  // namespace

std::unique_ptr<ByteSink> make_zstd_compressor(int level, int threads, ByteSink& downstream) {
  return std::make_unique<ZstdCompressor>(level, threads, downstream);
}

std::unique_ptr<ByteSink> make_zstd_decompressor(ByteSink& downstream) {
  return std::make_unique<ZstdDecompressor>(downstream);
}

}  // namespace dbkeep::pipeline::detail
