#include "dbkeep/storage/memory_backend.hpp"

#include <algorithm>
#include <cstring>

#include "dbkeep/storage/key.hpp"

namespace dbkeep::storage {

// Collects bytes privately; commit() publishes them under the key in one step.
class MemoryWriter final : public Writer {
 public:
  MemoryWriter(MemoryBackend& backend, std::string key) : backend_(backend), key_(std::move(key)) {}

  Result<void> write(std::span<const std::byte> data) override {
    if (committed_) return fail("write to " + key_ + " after commit");
    content_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }

  Result<void> commit() override {
    if (committed_) return fail("commit of " + key_ + " twice");
    backend_.put(key_, std::move(content_));
    committed_ = true;
    return {};
  }

 private:
  MemoryBackend& backend_;
  std::string key_;
  std::string content_;
  bool committed_ = false;
};

namespace {

class MemoryReader final : public Reader {
 public:
  explicit MemoryReader(std::shared_ptr<const std::string> content)
      : content_(std::move(content)) {}

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    std::size_t count = std::min(buffer.size(), content_->size() - position_);
    std::memcpy(buffer.data(), content_->data() + position_, count);
    position_ += count;
    return count;
  }

 private:
  std::shared_ptr<const std::string> content_;
  std::size_t position_ = 0;
};

}  // namespace

Result<std::unique_ptr<Writer>> MemoryBackend::create(std::string_view key) {
  TRY(check_key(key));
  return std::make_unique<MemoryWriter>(*this, std::string(key));
}

Result<std::unique_ptr<Reader>> MemoryBackend::open(std::string_view key) {
  TRY(check_key(key));
  std::lock_guard lock(mutex_);
  auto found = objects_.find(key);
  if (found == objects_.end()) return fail("memory:" + std::string(key) + " not found");
  return std::make_unique<MemoryReader>(found->second);
}

Result<bool> MemoryBackend::exists(std::string_view key) {
  TRY(check_key(key));
  std::lock_guard lock(mutex_);
  return objects_.contains(key);
}

Result<std::vector<ObjectInfo>> MemoryBackend::list(std::string_view prefix) {
  TRY(check_prefix(prefix));
  std::lock_guard lock(mutex_);
  std::vector<ObjectInfo> objects;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;  // the map is sorted: matches are contiguous
    objects.push_back(ObjectInfo{it->first, it->second->size()});
  }
  return objects;
}

Result<std::vector<std::string>> MemoryBackend::list_children(std::string_view prefix) {
  TRY(check_prefix(prefix));
  std::lock_guard lock(mutex_);
  std::vector<std::string> children;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) continue;  // an object, not a directory
    std::string child(rest.substr(0, slash));
    if (children.empty() || children.back() != child) children.push_back(std::move(child));
  }
  // Keys sort by the whole string, so "main-db/…" comes before "main/…"; names sort as names.
  std::ranges::sort(children);
  return children;
}

Result<void> MemoryBackend::remove(std::string_view key) {
  TRY(check_key(key));
  std::lock_guard lock(mutex_);
  if (auto found = objects_.find(key); found != objects_.end()) objects_.erase(found);
  return {};
}

Result<void> MemoryBackend::remove_prefix(std::string_view prefix) {
  TRY(check_prefix(prefix));
  if (prefix.empty()) return usage_error("refusing to remove an empty prefix (everything)");
  std::lock_guard lock(mutex_);
  auto first = objects_.lower_bound(prefix);
  auto last = first;
  while (last != objects_.end() && last->first.starts_with(prefix)) ++last;
  objects_.erase(first, last);
  return {};
}

std::optional<std::string> MemoryBackend::get(std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto found = objects_.find(key);
  if (found == objects_.end()) return std::nullopt;
  return *found->second;
}

void MemoryBackend::put(std::string_view key, std::string content) {
  auto shared = std::make_shared<const std::string>(std::move(content));
  std::lock_guard lock(mutex_);
  objects_.insert_or_assign(std::string(key), std::move(shared));
}

}  // namespace dbkeep::storage
