#pragma once
// The concrete codec stages behind make_compressor()/make_decompressor(), one file per library.
// Every stage works through a fixed-size output buffer, forwards output as soon as it has it,
// and after its first error refuses further use (returns that error again).
// Decoding errors (corrupt or truncated input) are ErrorKind::kVerification; errors from the
// downstream sink pass through unchanged.

#include <memory>
#include <optional>
#include <utility>

#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline::detail {

// A stage's first error (or its end): later calls return it instead of touching a stream
// that is broken or finished.
class StageState {
 public:
  [[nodiscard]] Result<void> usable() const {
    if (error_) return propagate(*error_);
    return {};
  }
  // Records `result`'s error, if any, and passes `result` on.
  Result<void> record(Result<void> result) {
    if (!result && !error_) error_ = result.error();
    return result;
  }
  std::unexpected<Error> fail_with(Error error) {
    if (!error_) error_ = error;
    return propagate(std::move(error));
  }
  void mark_finished() { error_ = Error{ErrorKind::kFailed, "stream used after finish()"}; }

 private:
  std::optional<Error> error_;
};

std::unique_ptr<ByteSink> make_zstd_compressor(int level, int threads, ByteSink& downstream);
std::unique_ptr<ByteSink> make_zstd_decompressor(ByteSink& downstream);
// threads 0 or 1: one gzip member, compressed on the caller's thread. threads >= 2: the
// member compressor below.
std::unique_ptr<ByteSink> make_gzip_compressor(int level, int threads, ByteSink& downstream);
// One independent gzip member per kGzipMemberBlock plaintext bytes, compressed on `threads`
// worker threads (at most kMaxGzipWorkers) and written downstream in order, from the caller's
// thread. Concatenated members are one valid gzip stream (RFC 1952, 2.2), which gunzip, zcat
// and our decompressor read; unlike pigz's output, no member depends on the one before it.
std::unique_ptr<ByteSink> make_gzip_member_compressor(int level, int threads, ByteSink& downstream);
inline constexpr std::size_t kGzipMemberBlock = 1024 * 1024;
inline constexpr int kMaxGzipWorkers = 32;
std::unique_ptr<ByteSink> make_gzip_decompressor(ByteSink& downstream);

}  // namespace dbkeep::pipeline::detail
