#include "dbkeep/pipeline/store.hpp"

#include <array>
#include <string>
#include <vector>

#include "dbkeep/pipeline/async_sha256.hpp"
#include "dbkeep/pipeline/file_stream.hpp"
#include "dbkeep/pipeline/sha256.hpp"
#include "dbkeep/pipeline/store_detail.hpp"

namespace dbkeep::pipeline {
namespace {

// Last stage of the store chain: counts the stored bytes and hands them to the storage Writer.
// finish() does not commit; store_stream commits once the whole chain has finished.
class WriterSink final : public ByteSink {
 public:
  explicit WriterSink(storage::Writer& writer) : writer_(writer) {}
  Result<void> write(std::span<const std::byte> data) override {
    bytes_ += data.size();
    return writer_.write(data);
  }
  Result<void> finish() override { return {}; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  storage::Writer& writer_;
  std::uint64_t bytes_ = 0;
};

// Stage after the decompressor on fetch: hashes and counts the plaintext before passing it on,
// and stops as soon as there is more of it than the manifest recorded.
class VerifyingSink final : public ByteSink {
 public:
  VerifyingSink(const StoredFile& expected, ByteSink& downstream)
      : expected_(expected), downstream_(downstream) {}
  Result<void> write(std::span<const std::byte> data) override {
    size_ += data.size();
    if (size_ > expected_.size) {
      return fail("size mismatch (expected " + std::to_string(expected_.size) + " bytes, got more)",
                  ErrorKind::kVerification);
    }
    hash_.update(data);
    return downstream_.write(data);
  }
  Result<void> finish() override { return downstream_.finish(); }

  // Compares what went through with the manifest, once the stream has ended.
  Result<void> check() {
    if (size_ != expected_.size) {
      return fail("size mismatch (expected " + std::to_string(expected_.size) + " bytes, got " +
                      std::to_string(size_) + ")",
                  ErrorKind::kVerification);
    }
    std::string actual = hash_.finish_hex();
    if (actual != expected_.sha256) {
      return fail("SHA-256 mismatch (expected " + expected_.sha256 + ", got " + actual + ")",
                  ErrorKind::kVerification);
    }
    return {};
  }

 private:
  const StoredFile& expected_;
  ByteSink& downstream_;
  Sha256 hash_;
  std::uint64_t size_ = 0;
};

class DiscardingSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::byte>) override { return {}; }
  Result<void> finish() override { return {}; }
};

Result<StoredFile> store_chain(ByteSource& source, storage::Backend& backend,
                               const std::string& path, const std::string& stored_key,
                               const CodecOptions& codec, const detail::StoreControl& control) {
  TRY_ASSIGN(auto writer, backend.create(stored_key));
  WriterSink stored(*writer);
  auto compressor = make_compressor(codec, stored);
  // Two buffers: one is being hashed (on the hasher's thread) while the next is read and
  // compressed. The second is allocated only once a file fills the first, so the many small
  // files of a datadir cost one buffer each. Declared before `hash` so they outlive its thread.
  std::array<std::vector<std::byte>, 2> buffers{std::vector<std::byte>(detail::kChunkSize),
                                                std::vector<std::byte>()};
  AsyncSha256 hash;
  std::uint64_t size = 0;
  for (std::size_t turn = 0;; turn ^= 1) {
    if (control.cancelled != nullptr && control.cancelled->load()) {
      return fail("cancelled", ErrorKind::kCancelled);  // `writer` goes uncommitted
    }
    auto& buffer = buffers[turn];
    if (buffer.empty()) buffer.resize(detail::kChunkSize);
    TRY_ASSIGN(std::size_t got, source.read(buffer));
    if (got == 0) break;
    auto chunk = std::span(buffer).first(got);
    hash.update(chunk);
    size += got;
    TRY(compressor->write(chunk));
    if (control.on_progress != nullptr && *control.on_progress) (*control.on_progress)(got);
  }
  TRY(compressor->finish());
  TRY(writer->commit());
  return StoredFile{path, stored_key, size, stored.bytes(), hash.finish_hex(), codec.codec};
}

Result<StoredFile> store_with_context(ByteSource& source, storage::Backend& backend,
                                      const std::string& path, const std::string& stored_key,
                                      const CodecOptions& codec,
                                      const detail::StoreControl& control) {
  auto stored = store_chain(source, backend, path, stored_key, codec, control);
  if (!stored) return propagate(stored.error().with_context("storing " + path));
  return stored;
}

Result<void> fetch_chain(storage::Backend& backend, const StoredFile& expected, ByteSink& sink) {
  auto reader = backend.open(expected.stored_key);
  if (!reader) {
    auto present = backend.exists(expected.stored_key);
    if (present && !*present) {
      return fail("stored object " + expected.stored_key + " is missing", ErrorKind::kVerification);
    }
    return propagate(reader.error());
  }
  VerifyingSink verifying(expected, sink);
  auto decompressor = make_decompressor(expected.codec, verifying);
  std::vector<std::byte> buffer(detail::kChunkSize);
  std::uint64_t stored_size = 0;
  for (;;) {
    TRY_ASSIGN(std::size_t got, (*reader)->read(buffer));
    if (got == 0) break;
    stored_size += got;
    TRY(decompressor->write(std::span(buffer).first(got)));
  }
  if (stored_size != expected.stored_size) {
    return fail("stored size mismatch (expected " + std::to_string(expected.stored_size) +
                    " bytes, got " + std::to_string(stored_size) + ")",
                ErrorKind::kVerification);
  }
  TRY(decompressor->finish());
  return verifying.check();
}

}  // namespace

namespace detail {

Result<StoredFile> store_file(const std::filesystem::path& file, storage::Backend& backend,
                              const std::string& path, const std::string& stored_key,
                              const CodecOptions& codec, const StoreControl& control) {
  auto source = FileSource::open(file);
  if (!source) return propagate(source.error().with_context("storing " + path));
  return store_with_context(*source, backend, path, stored_key, codec, control);
}

}  // namespace detail

Result<StoredFile> store_stream(ByteSource& source, storage::Backend& backend,
                                const std::string& path, const std::string& stored_key,
                                const CodecOptions& codec) {
  return store_with_context(source, backend, path, stored_key, codec, {});
}

Result<StoredFile> store_file(const std::filesystem::path& file, storage::Backend& backend,
                              const std::string& path, const std::string& stored_key,
                              const CodecOptions& codec) {
  return detail::store_file(file, backend, path, stored_key, codec, {});
}

Result<void> fetch_stream(storage::Backend& backend, const StoredFile& expected, ByteSink& sink) {
  auto fetched = fetch_chain(backend, expected, sink);
  if (!fetched) return propagate(fetched.error().with_context(expected.path));
  return {};
}

Result<void> verify_stored(storage::Backend& backend, const StoredFile& expected) {
  DiscardingSink discard;
  return fetch_stream(backend, expected, discard);
}

Result<void> fetch_to_file(storage::Backend& backend, const StoredFile& expected,
                           const std::filesystem::path& target) {
  TRY_ASSIGN(FileSink sink, FileSink::create(target));
  return fetch_stream(backend, expected, sink);
}

}  // namespace dbkeep::pipeline
