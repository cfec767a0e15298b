#pragma once
// A Backend decorator for tests (like LevelDB's EnvWrapper): forwards every call to the wrapped
// backend, and fails or damages the ones a FaultPlan names. Also counts what passed through,
// so a test can tell which work was started. Thread-safe.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "dbkeep/storage/backend.hpp"

namespace dbkeep::storage {

struct FaultPlan {
  // Writer::write calls are numbered from 1 across all writers; this one fails (0 = none).
  std::uint64_t fail_write_number = 0;
  // Writer::commit calls are numbered the same way; this one fails without committing.
  std::uint64_t fail_commit_number = 0;
  // Every write to this key fails (picks one job out of several running in parallel).
  std::optional<std::string> fail_writes_to_key;
  // A write that would take the total written past this many bytes fails like a full disk.
  std::optional<std::uint64_t> no_space_after_bytes;
  // Readers of `key` see the byte at `offset` with its lowest bit flipped.
  struct ReadCorruption {
    std::string key;
    std::uint64_t offset = 0;
  };
  std::optional<ReadCorruption> flip_byte_on_read;
  // Readers of `key` see the object end after `length` bytes.
  struct ReadTruncation {
    std::string key;
    std::uint64_t length = 0;
  };
  std::optional<ReadTruncation> truncate_on_read;
  // remove_prefix(p) fails, removing nothing, when p starts with this (an interrupted delete).
  std::optional<std::string> fail_remove_prefix;
};

class FaultInjectingBackend final : public Backend {
 public:
  // `target` must outlive this object and the writers and readers it hands out.
  explicit FaultInjectingBackend(Backend& target) : target_(target) {}

  void set_plan(FaultPlan plan);

  // What went through (successful or not), for tests.
  [[nodiscard]] std::uint64_t creates() const { return creates_; }
  [[nodiscard]] std::uint64_t writes() const { return writes_; }
  [[nodiscard]] std::uint64_t bytes_written() const { return bytes_written_; }
  [[nodiscard]] std::uint64_t commits() const { return commits_; }

  Result<std::unique_ptr<Writer>> create(std::string_view key) override;
  Result<std::unique_ptr<Reader>> open(std::string_view key) override;
  Result<bool> exists(std::string_view key) override { return target_.exists(key); }
  Result<std::vector<std::string>> list_children(std::string_view prefix) override {
    return target_.list_children(prefix);
  }
  Result<std::vector<ObjectInfo>> list(std::string_view prefix) override {
    return target_.list(prefix);
  }
  Result<void> remove(std::string_view key) override { return target_.remove(key); }
  Result<void> remove_prefix(std::string_view prefix) override;
  Result<std::optional<std::uint64_t>> free_bytes() override { return target_.free_bytes(); }
  [[nodiscard]] std::string describe() const override { return target_.describe(); }
  [[nodiscard]] bool encrypts_contents() const override { return target_.encrypts_contents(); }
  [[nodiscard]] std::optional<std::string> hidden_name(std::string_view path) const override {
    return target_.hidden_name(path);
  }

 private:
  friend class FaultInjectingWriter;

  FaultPlan plan() const;
  // Decides whether the next write of `size` bytes to `key` fails; counts it either way.
  Result<void> before_write(const std::string& key, std::size_t size);
  Result<void> before_commit(const std::string& key);

  Backend& target_;
  mutable std::mutex mutex_;
  FaultPlan plan_;
  std::atomic<std::uint64_t> creates_{0};
  std::atomic<std::uint64_t> writes_{0};
  std::atomic<std::uint64_t> bytes_written_{0};
  std::atomic<std::uint64_t> commit_attempts_{0};
  std::atomic<std::uint64_t> commits_{0};
};

}  // namespace dbkeep::storage
