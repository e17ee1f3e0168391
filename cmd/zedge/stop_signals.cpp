#include "stop_signals.hpp"

#include <signal.h>

#include <cstdlib>
#include <utility>

namespace zedge::cmd {
namespace {

constexpr int kStopSignals[] = {SIGTERM, SIGINT, SIGQUIT};

void mask_stop_signals(int how) {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal_number : kStopSignals) sigaddset(&set, signal_number);
  pthread_sigmask(how, &set, nullptr);
}

}  // namespace

void block_stop_signals_on_this_thread() { mask_stop_signals(SIG_BLOCK); }

void unblock_stop_signals_on_this_thread() { mask_stop_signals(SIG_UNBLOCK); }

StopSignalCount::Action StopSignalCount::next(int signal_number) {
  if (signal_number == SIGTERM && !drain_asked_ && stops_ == 0) {
    drain_asked_ = true;
    return Action::Drain;
  }
  return ++stops_ >= 2 ? Action::Exit : Action::Stop;
}

StopSignals::StopSignals(asio::io_context& control, Actions actions) : signals_(control), actions_(std::move(actions)) {
  for (const int signal_number : kStopSignals) signals_.add(signal_number);
  await_next();
}

void StopSignals::await_next() {
  signals_.async_wait([this](const asio::error_code& error, int signal_number) {
    if (error) return;  // cancelled: the set is going away
    switch (count_.next(signal_number)) {
      case StopSignalCount::Action::Drain: actions_.drain(); break;
      case StopSignalCount::Action::Stop: actions_.stop(); break;
      case StopSignalCount::Action::Exit: std::_Exit(1);
    }
    await_next();
  });
}

}  // namespace zedge::cmd
