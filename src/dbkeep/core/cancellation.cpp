#include "dbkeep/core/cancellation.hpp"

#include <signal.h>

#include <atomic>
#include <cstring>
#include <string>

namespace dbkeep::core {
namespace {

// -1: nothing pending; 0: requested programmatically; > 0: the signal that arrived.
// A lock-free atomic is async-signal-safe to read and write from the handler.
std::atomic<int> pending_signal{-1};
static_assert(std::atomic<int>::is_always_lock_free);

std::atomic<bool> handlers_installed{false};

extern "C" void handle_cancellation_signal(int signal_number) {
  int expected = -1;
  if (!pending_signal.compare_exchange_strong(expected, signal_number)) {
    // Second signal: stop waiting for a graceful unwind (see header).
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
  }
}

}  // namespace

void install_cancellation_handlers() {
  if (handlers_installed.exchange(true)) return;
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = handle_cancellation_signal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a blocking read or wait returns EINTR so the loop around it sees the flag.
  action.sa_flags = 0;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool cancellation_requested() {
  return pending_signal.load() != -1;
}

Result<void> check_cancellation() {
  int signal_number = pending_signal.load();
  if (signal_number == -1) return {};
  std::string cause = signal_number > 0
                          ? std::string("received SIG") + ::sigabbrev_np(signal_number)
                          : std::string("cancellation requested");
  return fail("cancelled (" + cause + "); cleaning up", ErrorKind::kCancelled);
}

void request_cancellation(int signal_number) {
  int expected = -1;
  pending_signal.compare_exchange_strong(expected, signal_number);
}

void reset_cancellation_for_testing() {
  pending_signal.store(-1);
}

}  // namespace dbkeep::core
