#pragma once
// Where a repository's bytes live. One small streaming interface that the local directory
// implements (and S3 later), plus an in-memory and a fault-injecting implementation for tests.
//
// Keys are relative, '/'-separated paths ("main/20261121_020000/manifest.json"); a backend
// never interprets them beyond that. Objects are written through a Writer and appear only on
// commit(): a Writer destroyed without commit() leaves nothing under the key (local: temp file
// removed; S3: multipart upload aborted). commit() of an existing key replaces it atomically.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::storage {

class Writer {
 public:
  virtual ~Writer() = default;
  virtual Result<void> write(std::span<const std::byte> data) = 0;
  // Makes the object durable and visible under its key (local: fsync file, rename, fsync dir).
  virtual Result<void> commit() = 0;
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Reads up to buffer.size() bytes; returns 0 only at end of object.
  virtual Result<std::size_t> read(std::span<std::byte> buffer) = 0;
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Result<std::unique_ptr<Writer>> create(std::string_view key) = 0;
  // A missing key is an error whose message names the key ("… not found").
  virtual Result<std::unique_ptr<Reader>> open(std::string_view key) = 0;
  virtual Result<bool> exists(std::string_view key) = 0;
  // Every object whose key starts with `prefix`, at any depth, sorted by key.
  virtual Result<std::vector<ObjectInfo>> list(std::string_view prefix) = 0;
  // Names of the immediate "directories" under `prefix` (which ends in '/' or is empty): the
  // next key component of every object below it, once each, sorted by name (so "main" comes
  // before "main-db", unlike their keys). Local directories count even when they hold
  // only uncommitted temp files, so leftovers of killed runs are found. S3: common prefixes.
  virtual Result<std::vector<std::string>> list_children(std::string_view prefix) = 0;
  // Removing a missing key succeeds (removal is idempotent, for interrupted prunes).
  virtual Result<void> remove(std::string_view key) = 0;
  // Removes every object under `prefix` ("main/20261121_020000/").
  virtual Result<void> remove_prefix(std::string_view prefix) = 0;
  // Free bytes where new objects go, if the backend can tell (local: statvfs; S3: nullopt).
  virtual Result<std::optional<std::uint64_t>> free_bytes() = 0;
  // Human-readable location for logs and errors ("/var/backups/dbkeep", "s3://bucket/prefix").
  [[nodiscard]] virtual std::string describe() const = 0;

  // What a decorator does to the objects written through it, so callers never look for a
  // concrete type (decorators forward these). True when object contents are encrypted, which
  // manifests record per file.
  [[nodiscard]] virtual bool encrypts_contents() const { return false; }
  // The name the data object for `path` is stored under when object names must not reveal
  // file and table names (encrypt_metadata); nullopt: under `path` itself (plus the codec's
  // extension).
  [[nodiscard]] virtual std::optional<std::string> hidden_name(std::string_view path) const {
    (void)path;
    return std::nullopt;
  }
};

// Reads a whole (small) object, e.g. a manifest.
Result<std::string> read_all(Backend& backend, std::string_view key);
// Writes and commits a whole (small) object.
Result<void> write_all(Backend& backend, std::string_view key, std::string_view content);

}  // namespace dbkeep::storage
