#include "dbkeep/pipeline/store.hpp"

#include <string>
#include <vector>

#include "dbkeep/core/sha256.hpp"
#include "dbkeep/pipeline/file_stream.hpp"
#include "dbkeep/pipeline/store_detail.hpp"

namespace dbkeep::pipeline {
namespace {

// Last stage of the store chain: hashes and counts the codec's output and hands it to the
// storage Writer. finish() does not commit; store_stream commits once the chain has finished.
class WriterSink final : public ByteSink {
 public:
  explicit WriterSink(storage::Writer& writer) : writer_(writer) {}
  Result<void> write(std::span<const std::byte> data) override {
    bytes_ += data.size();
    hash_.update(data);
    return writer_.write(data);
  }
  Result<void> finish() override { return {}; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  std::string finish_hex() { return hash_.finish_hex(); }

 private:
  storage::Writer& writer_;
  core::Sha256 hash_;
  std::uint64_t bytes_ = 0;
};

Result<void> check_digest(core::Sha256& hash, const std::string& expected, std::string_view what) {
  std::string actual = hash.finish_hex();
  if (actual == expected) return {};
  return fail(std::string(what) + " mismatch (expected " + expected + ", got " + actual + ")",
              ErrorKind::kVerification);
}

// Stage after the decompressor on fetch: counts the plaintext (and hashes it when an old
// manifest recorded its digest) before passing it on, and stops as soon as there is more of it
// than the manifest recorded.
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
    if (!expected_.plaintext_sha256.empty()) hash_.update(data);
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
    if (expected_.plaintext_sha256.empty()) return {};
    return check_digest(hash_, expected_.plaintext_sha256, "SHA-256 of the plaintext");
  }

 private:
  const StoredFile& expected_;
  ByteSink& downstream_;
  core::Sha256 hash_;
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
  std::vector<std::byte> buffer(detail::kChunkSize);
  std::uint64_t size = 0;
  for (;;) {
    if (control.cancelled != nullptr && control.cancelled->load()) {
      return fail("cancelled", ErrorKind::kCancelled);  // `writer` goes uncommitted
    }
    TRY_ASSIGN(std::size_t got, source.read(buffer));
    if (got == 0) break;
    size += got;
    TRY(compressor->write(std::span(buffer).first(got)));
    if (control.on_progress != nullptr && *control.on_progress) (*control.on_progress)(got);
  }
  TRY(compressor->finish());
  TRY(writer->commit());
  return StoredFile{.path = path,
                    .stored_key = stored_key,
                    .size = size,
                    .stored_size = stored.bytes(),
                    .stored_sha256 = stored.finish_hex(),
                    .codec = codec.codec};
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
  core::Sha256 stored_hash;
  for (;;) {
    TRY_ASSIGN(std::size_t got, (*reader)->read(buffer));
    if (got == 0) break;
    stored_size += got;
    auto block = std::span(buffer).first(got);
    if (!expected.stored_sha256.empty()) stored_hash.update(block);
    TRY(decompressor->write(block));
  }
  if (stored_size != expected.stored_size) {
    return fail("stored size mismatch (expected " + std::to_string(expected.stored_size) +
                    " bytes, got " + std::to_string(stored_size) + ")",
                ErrorKind::kVerification);
  }
  if (!expected.stored_sha256.empty()) {
    TRY(check_digest(stored_hash, expected.stored_sha256, "SHA-256"));
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
