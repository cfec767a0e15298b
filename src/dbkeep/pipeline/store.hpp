#pragma once
// Moving whole files through the pipeline into a storage backend and back.
//
// store: plaintext → size → compressor → SHA-256 and stored size → storage Writer.
// fetch: storage Reader → SHA-256 and stored size → decompressor → size → caller's sink; the
// digests and sizes are compared with what the manifest recorded, and a mismatch is a
// kVerification error that names the file.
//
// The SHA-256 covers the codec's output, not the plaintext (manifest format 3, see
// ARCHITECTURE.md "What the checksum covers"): the plaintext is a function of those bytes, so the
// digest binds it just as firmly, at a third to a half of the hashing cost. The codec's own
// check (zstd's frame checksum, gzip's CRC-32) guards the decompression itself.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dbkeep/pipeline/byte_sink.hpp"
#include "dbkeep/pipeline/codec.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::pipeline {

// What the manifest records for one stored file.
struct StoredFile {
  std::string path;               // logical path inside the backup ("sessions.db", "ibdata1")
  std::string stored_key;         // backend key of the stored object
  std::uint64_t size = 0;         // plaintext bytes
  std::uint64_t stored_size = 0;  // bytes written to storage
  std::string stored_sha256;      // of the codec's output (the object before encryption), hex
  std::string plaintext_sha256;   // manifests of format 2 and older only: of the plaintext, hex
  Codec codec = Codec::kNone;
  bool encrypted = false;  // stored through an encrypting backend (docs/encryption-format.md)
};

// Streams `source` to end into a new object `stored_key` and commits it.
Result<StoredFile> store_stream(ByteSource& source, storage::Backend& backend,
                                const std::string& path, const std::string& stored_key,
                                const CodecOptions& codec);

// Convenience over store_stream for a file on disk.
Result<StoredFile> store_file(const std::filesystem::path& file, storage::Backend& backend,
                              const std::string& path, const std::string& stored_key,
                              const CodecOptions& codec);

// One file to store, for the parallel variant.
struct StoreJob {
  std::filesystem::path file;
  std::string path;
  std::string stored_key;
};

// Stores jobs on `workers` threads (largest files first); the first error cancels the rest and
// is returned. Results come back in the order of `jobs`. `on_progress` (optional) is called
// from worker threads with the plaintext bytes just stored.
Result<std::vector<StoredFile>> store_files_parallel(
    const std::vector<StoreJob>& jobs, storage::Backend& backend, const CodecOptions& codec,
    int workers, const std::function<void(std::uint64_t)>& on_progress = {});

// Streams a stored object back, decompressed, into `sink`, checking sizes and SHA-256 against
// `expected` (each digest that is recorded). Mismatch or undecodable data: ErrorKind::kVerification
// naming expected.path.
Result<void> fetch_stream(storage::Backend& backend, const StoredFile& expected, ByteSink& sink);

// Verifies an object without keeping its content.
Result<void> verify_stored(storage::Backend& backend, const StoredFile& expected);

// Restores an object into a file at `target` (written in place; callers use a temp name).
Result<void> fetch_to_file(storage::Backend& backend, const StoredFile& expected,
                           const std::filesystem::path& target);

}  // namespace dbkeep::pipeline
