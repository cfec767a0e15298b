#pragma once
// Internals shared by store.cpp and store_parallel.cpp.

#include <atomic>
#include <cstdint>
#include <functional>

#include "dbkeep/pipeline/store.hpp"

namespace dbkeep::pipeline::detail {

// Plaintext is read in chunks of this size (bounded memory, few system calls).
inline constexpr std::size_t kChunkSize = 1024 * 1024;

// Lets a caller watch and stop a running store.
struct StoreControl {
  // Checked before every chunk: once true, the store stops with kCancelled, uncommitted.
  const std::atomic<bool>* cancelled = nullptr;
  // Called with the plaintext bytes of each chunk once it has entered the pipeline.
  const std::function<void(std::uint64_t)>* on_progress = nullptr;
};

Result<StoredFile> store_file(const std::filesystem::path& file, storage::Backend& backend,
                              const std::string& path, const std::string& stored_key,
                              const CodecOptions& codec, const StoreControl& control);

}  // namespace dbkeep::pipeline::detail
