// The multi-threaded gzip compressor: the stream is cut into blocks of kGzipMemberBlock bytes,
// each block becomes one complete, independent gzip member on a worker thread, and the members
// are written downstream in their order, always from the caller's thread (downstream stages
// need not be thread-safe).
//
// Memory is bounded: at most 2 × workers blocks are in flight (being filled, waiting,
// compressing or compressed and waiting to be written); when all are taken, write() waits for
// the oldest one. Each block slot holds its plaintext and one member's worth of output
// (deflateBound), allocated the first time the slot is used, so a small file costs one slot.
// Workers start with the first full block; no thread outlives the compressor, and none is
// left running after an error (the first error stops and joins them before it is returned).

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dbkeep/pipeline/codec_stages.hpp"
#include "dbkeep/pipeline/gzip_common.hpp"

namespace dbkeep::pipeline::detail {
namespace {

// One block on its way through: filled by the caller, compressed by a worker, written by the
// caller. A worker owns it from taking it until `done`; the caller at every other time.
struct Slot {
  std::unique_ptr<std::byte[]> input;  // kGzipMemberBlock bytes once used
  std::size_t input_size = 0;
  std::unique_ptr<std::byte[]> output;  // output_capacity bytes once used
  std::size_t output_capacity = 0;
  std::size_t output_size = 0;
  bool done = false;  // guarded by the compressor's mutex
  std::optional<Error> error;
};

// A worker's deflate state, reused for every member it compresses (deflateReset between them).
class MemberDeflater {
 public:
  explicit MemberDeflater(int level) : started_(init_gzip_deflate(stream_, level)) {}
  MemberDeflater(const MemberDeflater&) = delete;
  MemberDeflater& operator=(const MemberDeflater&) = delete;
  ~MemberDeflater() {
    if (started_) deflateEnd(&stream_);
  }

  // Compresses slot.input into slot.output as one whole gzip member.
  Result<void> compress(Slot& slot) {
    if (!started_) return propagate(started_.error());
    if (deflateReset(&stream_) != Z_OK) return fail("gzip: cannot reset the compressor");
    if (!slot.output) {
      slot.output_capacity = deflateBound(&stream_, kGzipMemberBlock);
      slot.output = std::make_unique_for_overwrite<std::byte[]>(slot.output_capacity);
    }
    stream_.next_in = reinterpret_cast<Bytef*>(slot.input.get());
    stream_.avail_in = static_cast<uInt>(slot.input_size);
    stream_.next_out = reinterpret_cast<Bytef*>(slot.output.get());
    stream_.avail_out = static_cast<uInt>(slot.output_capacity);
    // With deflateBound's room, one Z_FINISH call writes the whole member.
    int code = deflate(&stream_, Z_FINISH);
    if (code != Z_STREAM_END) {
      return fail("gzip compression failed: " + zlib_message(stream_, code));
    }
    slot.output_size = slot.output_capacity - stream_.avail_out;
    return {};
  }

 private:
  z_stream stream_{};
  Result<void> started_;
};

class GzipMemberCompressor final : public ByteSink {
 public:
  GzipMemberCompressor(int level, int threads, ByteSink& downstream)
      : downstream_(downstream),
        workers_wanted_(std::clamp(threads, 1, kMaxGzipWorkers)),
        slots_(2 * static_cast<std::size_t>(workers_wanted_)) {
    auto checked = gzip_level(level);
    if (!checked) {
      state_.fail_with(checked.error());
      return;
    }
    level_ = *checked;
  }
  GzipMemberCompressor(const GzipMemberCompressor&) = delete;
  GzipMemberCompressor& operator=(const GzipMemberCompressor&) = delete;
  ~GzipMemberCompressor() override { stop_workers(); }  // blocks not yet written are dropped

  Result<void> write(std::span<const std::byte> data) override {
    TRY(state_.usable());
    while (!data.empty()) {
      if (filled_ == 0 && in_flight() == slots_.size()) TRY(checked(emit_oldest()));
      Slot& slot = slots_[submitted_ % slots_.size()];
      if (!slot.input) slot.input = std::make_unique_for_overwrite<std::byte[]>(kGzipMemberBlock);
      std::size_t take = std::min(data.size(), kGzipMemberBlock - filled_);
      std::memcpy(slot.input.get() + filled_, data.data(), take);
      filled_ += take;
      data = data.subspan(take);
      if (filled_ == kGzipMemberBlock) {
        submit();
        TRY(checked(emit_ready()));
      }
    }
    return {};
  }

  Result<void> finish() override {
    TRY(state_.usable());
    // An empty stream still becomes one (empty) member: gunzip refuses a zero-byte file.
    if (filled_ > 0 || submitted_ == 0) submit();
    while (emitted_ < submitted_) TRY(checked(emit_oldest()));
    stop_workers();
    state_.mark_finished();
    return downstream_.finish();
  }

 private:
  [[nodiscard]] std::size_t in_flight() const { return submitted_ - emitted_; }

  // Hands the block being filled to the workers (starting them the first time).
  void submit() {
    if (workers_.empty()) {
      for (int i = 0; i < workers_wanted_; ++i) workers_.emplace_back([this] { work(); });
    }
    {
      std::lock_guard lock(mutex_);
      slots_[submitted_ % slots_.size()].input_size = filled_;
      ++submitted_;
    }
    filled_ = 0;
    work_ready_.notify_one();
  }

  // Waits for the oldest block in flight and writes its member downstream.
  Result<void> emit_oldest() {
    Slot& slot = slots_[emitted_ % slots_.size()];
    {
      std::unique_lock lock(mutex_);
      block_done_.wait(lock, [&] { return slot.done; });
      slot.done = false;
    }
    if (slot.error) return propagate(*slot.error);
    TRY(downstream_.write(std::span(slot.output.get(), slot.output_size)));
    ++emitted_;
    return {};
  }

  // Writes the members that are already compressed, in order, without waiting.
  Result<void> emit_ready() {
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (emitted_ == submitted_ || !slots_[emitted_ % slots_.size()].done) return {};
      }
      TRY(emit_oldest());
    }
  }

  // The first error stops the workers before the caller sees it.
  Result<void> checked(Result<void> result) {
    if (!result) stop_workers();
    return state_.record(std::move(result));
  }

  void work() {
    MemberDeflater deflater(level_);
    for (;;) {
      Slot* slot = nullptr;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || taken_ < submitted_; });
        if (stopping_) return;
        slot = &slots_[taken_++ % slots_.size()];
      }
      auto compressed = deflater.compress(*slot);
      {
        std::lock_guard lock(mutex_);
        slot->error = compressed ? std::nullopt : std::optional<Error>(compressed.error());
        slot->done = true;
      }
      block_done_.notify_one();  // only the caller waits on it
    }
  }

  // Joins every worker; one in the middle of a block finishes that block first.
  void stop_workers() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    workers_.clear();
  }

  ByteSink& downstream_;
  int level_ = 6;
  int workers_wanted_;
  StageState state_;
  std::vector<Slot> slots_;      // ring: block number n lives in slots_[n % size]
  std::size_t filled_ = 0;       // bytes in the block being filled (caller only)
  std::uint64_t submitted_ = 0;  // blocks handed to workers; written by the caller under mutex_
  std::uint64_t taken_ = 0;      // blocks a worker has started (mutex_)
  std::uint64_t emitted_ = 0;    // blocks written downstream (caller only)
  bool stopping_ = false;        // mutex_
  std::mutex mutex_;
  std::condition_variable work_ready_;  // a block was submitted, or stopping_
  std::condition_variable block_done_;  // a worker finished a block
  std::vector<std::jthread> workers_;   // last: joined before anything they use is destroyed
};

}  // namespace

std::unique_ptr<ByteSink> make_gzip_member_compressor(int level, int threads,
                                                      ByteSink& downstream) {
  return std::make_unique<GzipMemberCompressor>(level, threads, downstream);
}

}  // namespace dbkeep::pipeline::detail
