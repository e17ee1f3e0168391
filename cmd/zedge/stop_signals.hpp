// The termination signals, taken by an asio::signal_set on main's control loop: no thread
// of their own, and nothing that outlives main.
//
// SIGTERM drains (Kubernetes' stop signal): requests and streams get --drain-timeout to
// finish, then zedge exits. SIGINT, SIGQUIT and a SIGTERM after the first stop at once,
// as Condure does on every signal. A second stop ends the process without cleanup
// (status 1), for a stop that hangs: SIGINT then any signal, or the third signal of any
// kind when the first was SIGTERM.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <functional>

namespace zedge::cmd {

// What each signal asks for, given the ones before it (pure).
class StopSignalCount {
 public:
  enum class Action { Drain, Stop, Exit };
  Action next(int signal_number);

 private:
  bool drain_asked_ = false;
  int stops_ = 0;
};

// Only the thread running the control loop should take the signals: on another thread
// one interrupts a system call (zmq_ctx_term, for one, gives up on EINTR). A thread starts
// with its creator's mask, so main blocks them before it starts any.
void block_stop_signals_on_this_thread();
void unblock_stop_signals_on_this_thread();

class StopSignals {
 public:
  struct Actions {
    std::function<void()> drain;
    std::function<void()> stop;
  };

  // Takes SIGTERM, SIGINT and SIGQUIT from now on; `actions` run on `control`, and Exit
  // ends the process there with status 1.
  StopSignals(asio::io_context& control, Actions actions);
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  void await_next();

  asio::signal_set signals_;
  StopSignalCount count_;
  Actions actions_;
};

}  // namespace zedge::cmd
