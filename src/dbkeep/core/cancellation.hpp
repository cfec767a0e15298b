#pragma once
// Process-wide cancellation on SIGINT/SIGTERM. The signal handler only sets a flag; long loops
// (the copy, health polling) call check_cancellation() and return an Error of kind kCancelled,
// so the RAII guards above them unwind and undo their resources the normal way.
//
// A second signal while cancellation is already pending restores the default action and
// re-raises it: the user who presses Ctrl-C twice gets out at once, and the resource journal
// lets the next run undo whatever was left behind.

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

// Installs the SIGINT/SIGTERM handlers. Idempotent; call once early in main or a command.
void install_cancellation_handlers();

// True once SIGINT/SIGTERM arrived (or request_cancellation() was called).
[[nodiscard]] bool cancellation_requested();

// Returns a kCancelled error naming the signal when cancellation is pending, else success.
Result<void> check_cancellation();

// Sets the flag as a signal would (signal_number 0 = programmatic). For tests and callers
// that need to stop the run for their own reasons.
void request_cancellation(int signal_number = 0);

// Clears the flag. For tests only: a real run never resumes after cancellation.
void reset_cancellation_for_testing();

}  // namespace dbkeep::core
