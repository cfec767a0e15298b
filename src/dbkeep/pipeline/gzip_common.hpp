#pragma once
// What the two gzip compressors (one member on the caller's thread, gzip_codec.cpp; many
// members on worker threads, gzip_members.cpp) and the decompressor share.

#include <zlib.h>

#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::pipeline::detail {

inline constexpr int kGzipWindowBits = 31;  // 15 (32 KiB window) + 16 (gzip wrapper)
inline constexpr int kGzipMemLevel = 8;     // zlib's default, as gzip(1) and pigz use

inline std::string zlib_message(const z_stream& stream, int code) {
  return stream.msg != nullptr ? stream.msg : ("zlib error " + std::to_string(code));
}

// The configured level as zlib takes it: 0 means the default 6, 1..9 pass, anything else is a
// usage error (config.cpp already refuses it; this guards other callers).
inline Result<int> gzip_level(int level) {
  if (level == 0) return 6;
  if (level < 1 || level > 9) {
    return fail("gzip level must be 1..9, not " + std::to_string(level), ErrorKind::kUsage);
  }
  return level;
}

// deflateInit2 for one gzip member at `level` (already checked by gzip_level).
inline Result<void> init_gzip_deflate(z_stream& stream, int level) {
  int code =
      deflateInit2(&stream, level, Z_DEFLATED, kGzipWindowBits, kGzipMemLevel, Z_DEFAULT_STRATEGY);
  if (code != Z_OK) return fail("gzip: " + zlib_message(stream, code));
  return {};
}

}  // namespace dbkeep::pipeline::detail
