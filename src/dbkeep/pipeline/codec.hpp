#pragma once
// Compression codecs as pipeline stages.

#include <memory>

#include "dbkeep/core/compression.hpp"
#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline {

using core::Codec;
using core::codec_extension;
using core::codec_name;
using core::CodecOptions;
using core::parse_codec;

// A sink that compresses into `downstream` (which must outlive it).
std::unique_ptr<ByteSink> make_compressor(const CodecOptions& options, ByteSink& downstream);
// A sink that decompresses into `downstream`. Corrupt or truncated input is an error
// (finish() fails on a truncated stream).
std::unique_ptr<ByteSink> make_decompressor(Codec codec, ByteSink& downstream);

}  // namespace dbkeep::pipeline
