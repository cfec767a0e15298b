#include "dbkeep/pipeline/codec.hpp"

#include "dbkeep/pipeline/codec_stages.hpp"

namespace dbkeep::pipeline {
namespace {

// Codec::kNone: bytes pass unchanged in both directions.
class PassThrough final : public ByteSink {
 public:
  explicit PassThrough(ByteSink& downstream) : downstream_(downstream) {}
  Result<void> write(std::span<const std::byte> data) override { return downstream_.write(data); }
  Result<void> finish() override { return downstream_.finish(); }

 private:
  ByteSink& downstream_;
};

}  // namespace

std::unique_ptr<ByteSink> make_compressor(const CodecOptions& options, ByteSink& downstream) {
  switch (options.codec) {
    case Codec::kZstd:
      return detail::make_zstd_compressor(options.level, options.threads, downstream);
    case Codec::kGzip:
      return detail::make_gzip_compressor(options.level, options.threads, downstream);
    case Codec::kNone:
      break;
  }
  return std::make_unique<PassThrough>(downstream);
}

std::unique_ptr<ByteSink> make_decompressor(Codec codec, ByteSink& downstream) {
  switch (codec) {
    case Codec::kZstd:
      return detail::make_zstd_decompressor(downstream);
    case Codec::kGzip:
      return detail::make_gzip_decompressor(downstream);
    case Codec::kNone:
      break;
  }
  return std::make_unique<PassThrough>(downstream);
}

}  // namespace dbkeep::pipeline
