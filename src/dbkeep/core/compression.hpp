#pragma once
// Which compression a set uses ([set] compression, compression_level, compression_threads).
// Plain values, kept in core so the configuration can hold them; the codecs themselves are
// pipeline stages (pipeline/codec.hpp).

#include <optional>
#include <string_view>

namespace dbkeep::core {

enum class Codec { kNone, kZstd, kGzip };

struct CodecOptions {
  Codec codec = Codec::kZstd;
  int level = 3;  // zstd 1..19 (default 3), gzip 1..9 (default 6 when 0 is given)
  // Worker threads inside one stream (zstd workers; gzip members compressed at once, when
  // 2 or more); 0 = single-threaded.
  int threads = 0;
};

std::string_view codec_name(Codec codec);                 // "none", "zstd", "gzip"
std::optional<Codec> parse_codec(std::string_view name);  // inverse of codec_name
std::string_view codec_extension(Codec codec);            // "", ".zst", ".gz"

}  // namespace dbkeep::core
