#pragma once
// Compression codecs as pipeline stages.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline {

enum class Codec { kNone, kZstd, kGzip };

struct CodecOptions {
  Codec codec = Codec::kZstd;
  int level = 3;    // zstd 1..19 (default 3), gzip 1..9 (default 6 when 0 is given)
  int threads = 0;  // zstd worker threads inside one stream; 0 = single-threaded
};

std::string_view codec_name(Codec codec);                     // "none", "zstd", "gzip"
std::optional<Codec> parse_codec(std::string_view name);      // inverse of codec_name
std::string_view codec_extension(Codec codec);                // "", ".zst", ".gz"

// A sink that compresses into `downstream` (which must outlive it).
std::unique_ptr<ByteSink> make_compressor(const CodecOptions& options, ByteSink& downstream);
// A sink that decompresses into `downstream`. Corrupt or truncated input is an error
// (finish() fails on a truncated stream).
std::unique_ptr<ByteSink> make_decompressor(Codec codec, ByteSink& downstream);

}  // namespace dbkeep::pipeline
