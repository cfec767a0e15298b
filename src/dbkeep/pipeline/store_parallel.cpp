// store_files_parallel: a fixed pool of worker threads taking jobs largest-first, so the long
// files start early and the short ones fill the gaps at the end.

#include <algorithm>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/pipeline/store_detail.hpp"

namespace dbkeep::pipeline {
namespace {

// Job indices, largest file first (ties keep input order, for reproducible runs).
Result<std::vector<std::size_t>> largest_first(const std::vector<StoreJob>& jobs) {
  std::vector<std::uintmax_t> sizes(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    std::error_code error;
    sizes[i] = std::filesystem::file_size(jobs[i].file, error);
    if (error) {
      return fail("storing " + jobs[i].path + ": " + jobs[i].file.string() + ": " +
                  error.message());
    }
  }
  std::vector<std::size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::stable_sort(order, std::greater{}, [&](std::size_t i) { return sizes[i]; });
  return order;
}

// A failed call leaves nothing behind: objects this call already committed are removed.
void remove_committed(storage::Backend& backend,
                      const std::vector<std::optional<StoredFile>>& results) {
  for (const auto& stored : results) {
    if (!stored) continue;
    if (auto removed = backend.remove(stored->stored_key); !removed) {
      log::warn("cleaning up after a failed store: " + removed.error().message);
    }
  }
}

}  // namespace

Result<std::vector<StoredFile>> store_files_parallel(
    const std::vector<StoreJob>& jobs, storage::Backend& backend, const CodecOptions& codec,
    int workers, const std::function<void(std::uint64_t)>& on_progress) {
  TRY_ASSIGN(std::vector<std::size_t> order, largest_first(jobs));

  std::vector<std::optional<StoredFile>> results(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  const detail::StoreControl control{&cancelled, &on_progress};

  auto work = [&] {
    while (!cancelled.load()) {
      std::size_t slot = next.fetch_add(1);
      if (slot >= order.size()) return;
      const StoreJob& job = jobs[order[slot]];
      auto stored = detail::store_file(job.file, backend, job.path, job.stored_key, codec, control);
      if (!stored) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = stored.error();  // later ones are only "cancelled"
        cancelled.store(true);
        return;
      }
      results[order[slot]] = std::move(*stored);
    }
  };

  std::size_t thread_count =
      std::clamp<std::size_t>(workers > 0 ? workers : 1, 1, std::max<std::size_t>(jobs.size(), 1));
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < thread_count; ++i) threads.emplace_back(work);
  }  // joined here

  if (first_error) {
    remove_committed(backend, results);
    return propagate(*first_error);
  }
  std::vector<StoredFile> stored;
  stored.reserve(results.size());
  for (auto& result : results) stored.push_back(std::move(*result));
  return stored;
}

}  // namespace dbkeep::pipeline
