#pragma once
// Cooperative cancellation on SIGINT/SIGTERM. install_signal_handlers() makes those signals set
// a flag (async-signal-safe) instead of killing the process; long loops check
// cancellation_requested() and return ErrorKind::kCancelled, so RAII guards undo everything.

namespace dbkeep::core {

void install_signal_handlers();
bool cancellation_requested();
// The signal that asked us to stop, or 0.
int cancellation_signal();
// For tests and for the daemon between runs.
void request_cancellation(int signal_number);
void reset_cancellation();

}  // namespace dbkeep::core
