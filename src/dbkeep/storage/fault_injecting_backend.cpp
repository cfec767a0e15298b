#include "dbkeep/storage/fault_injecting_backend.hpp"

#include <algorithm>

namespace dbkeep::storage {

class FaultInjectingWriter final : public Writer {
 public:
  FaultInjectingWriter(FaultInjectingBackend& backend, std::string key,
                       std::unique_ptr<Writer> inner)
      : backend_(backend), key_(std::move(key)), inner_(std::move(inner)) {}

  Result<void> write(std::span<const std::byte> data) override {
    TRY(backend_.before_write(key_, data.size()));
    return inner_->write(data);
  }

  Result<void> commit() override {
    TRY(backend_.before_commit(key_));
    TRY(inner_->commit());
    ++backend_.commits_;
    return {};
  }

 private:
  FaultInjectingBackend& backend_;
  std::string key_;
  std::unique_ptr<Writer> inner_;
};

namespace {

class FaultInjectingReader final : public Reader {
 public:
  FaultInjectingReader(std::unique_ptr<Reader> inner, std::optional<std::uint64_t> flip_offset,
                       std::optional<std::uint64_t> end_offset)
      : inner_(std::move(inner)), flip_offset_(flip_offset), end_offset_(end_offset) {}

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    if (end_offset_) {
      std::uint64_t left = *end_offset_ - std::min(*end_offset_, position_);
      buffer = buffer.first(static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left)));
      if (buffer.empty()) return 0;
    }
    TRY_ASSIGN(std::size_t got, inner_->read(buffer));
    if (flip_offset_ && *flip_offset_ >= position_ && *flip_offset_ < position_ + got) {
      buffer[static_cast<std::size_t>(*flip_offset_ - position_)] ^= std::byte{0x01};
    }
    position_ += got;
    return got;
  }

 private:
  std::unique_ptr<Reader> inner_;
  std::optional<std::uint64_t> flip_offset_;
  std::optional<std::uint64_t> end_offset_;
  std::uint64_t position_ = 0;
};

}  // namespace

void FaultInjectingBackend::set_plan(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  plan_ = std::move(plan);
}

FaultPlan FaultInjectingBackend::plan() const {
  std::lock_guard lock(mutex_);
  return plan_;
}

Result<void> FaultInjectingBackend::before_write(const std::string& key, std::size_t size) {
  FaultPlan current = plan();
  std::uint64_t number = ++writes_;
  if (number == current.fail_write_number || current.fail_writes_to_key == key) {
    return fail("writing " + key + ": Input/output error (injected)");
  }
  std::uint64_t total = (bytes_written_ += size);
  if (current.no_space_after_bytes && total > *current.no_space_after_bytes) {
    return fail("disk full writing " + key + ": No space left on device (injected)");
  }
  return {};
}

Result<void> FaultInjectingBackend::before_commit(const std::string& key) {
  if (++commit_attempts_ == plan().fail_commit_number) {
    return fail("committing " + key + ": Input/output error (injected)");
  }
  return {};
}

Result<std::unique_ptr<Writer>> FaultInjectingBackend::create(std::string_view key) {
  ++creates_;
  TRY_ASSIGN(auto inner, target_.create(key));
  return std::make_unique<FaultInjectingWriter>(*this, std::string(key), std::move(inner));
}

Result<std::unique_ptr<Reader>> FaultInjectingBackend::open(std::string_view key) {
  TRY_ASSIGN(auto inner, target_.open(key));
  FaultPlan current = plan();
  std::optional<std::uint64_t> flip_offset;
  std::optional<std::uint64_t> end_offset;
  if (current.flip_byte_on_read && current.flip_byte_on_read->key == key) {
    flip_offset = current.flip_byte_on_read->offset;
  }
  if (current.truncate_on_read && current.truncate_on_read->key == key) {
    end_offset = current.truncate_on_read->length;
  }
  return std::make_unique<FaultInjectingReader>(std::move(inner), flip_offset, end_offset);
}

Result<void> FaultInjectingBackend::remove_prefix(std::string_view prefix) {
  const auto failing = plan().fail_remove_prefix;
  if (failing && prefix.starts_with(*failing)) {
    return fail("injected fault: cannot remove " + std::string(prefix));
  }
  return target_.remove_prefix(prefix);
}

}  // namespace dbkeep::storage
