// signals.h: the daemon's signals are blocked in every thread and taken in
// one place, the main loop, with sigtimedwait. Nothing runs in a signal
// handler. Call BlockDaemonSignals() before any thread starts, so that every
// thread inherits the mask.
#pragma once

#include <signal.h>

#include <chrono>

namespace frontdesk {

// Blocks SIGHUP, SIGTERM and SIGINT in the calling thread; returns that set.
sigset_t BlockDaemonSignals();
// Waits for one of `set`; returns its number, or 0 when `timeout` passed.
int WaitForSignal(const sigset_t& set, std::chrono::milliseconds timeout);

}  // namespace frontdesk
