#include "dbkeep/core/compression.hpp"

namespace dbkeep::core {

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kZstd:
      return "zstd";
    case Codec::kGzip:
      return "gzip";
  }
  return "none";
}

std::optional<Codec> parse_codec(std::string_view name) {
  for (Codec codec : {Codec::kNone, Codec::kZstd, Codec::kGzip}) {
    if (codec_name(codec) == name) return codec;
  }
  return std::nullopt;
}

std::string_view codec_extension(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "";
    case Codec::kZstd:
      return ".zst";
    case Codec::kGzip:
      return ".gz";
  }
  return "";
}

}  // namespace dbkeep::core
