#include "dbkeep/core/cancellation.hpp"

#include <signal.h>

#include <atomic>

namespace dbkeep::core {
namespace {

std::atomic<int> g_signal{0};

extern "C" void on_signal(int signal_number) {
  g_signal.store(signal_number);
}

}  // namespace

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR and loops re-check the flag
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool cancellation_requested() {
  return g_signal.load() != 0;
}
int cancellation_signal() {
  return g_signal.load();
}
void request_cancellation(int signal_number) {
  g_signal.store(signal_number);
}
void reset_cancellation() {
  g_signal.store(0);
}

}  // namespace dbkeep::core
