// Server's graceful drain: what starts, joins and cancels one, and the timer that closes
// the listeners at the deadline and says when a drain that exits is over.
#include <algorithm>
#include <asio/post.hpp>

#include "log/log.hpp"
#include "server/drain_step.hpp"
#include "server/edge_listener.hpp"
#include "server/server.hpp"
#include "server/worker.hpp"

namespace zedge::server {
namespace {

constexpr const char* kLog = "zedge";

}  // namespace

bool Server::start_drain(const admin::DrainOptions& plan) {
  std::lock_guard lock(drain_mutex_);
  return start_drain_locked(plan);
}

bool Server::start_drain_locked(const admin::DrainOptions& plan) {
  if (!started_ || draining_) return false;
  draining_ = true;
  drain_plan_ = plan;
  drain_deadline_ = DrainClock::now() + plan.timeout;
  drain_finished_told_ = false;
  LOG_INFO(kLog, "draining: deadline in " << plan.timeout.count() << " ms"
                                          << (plan.stop_accepting ? ", not accepting" : ", still accepting")
                                          << (plan.exit_when_done ? ", exit when done" : ""));
  if (plan.stop_accepting) listener_->stop_accepting();
  for (auto& worker : workers_) worker->drain(drain_deadline_, plan.close_websockets_now);
  check_drain_soon();
  return true;
}

bool Server::cancel_drain() {
  std::lock_guard lock(drain_mutex_);
  if (!draining_ || !listener_->accepting()) return false;
  draining_ = false;  // the drain's timer finds nothing to do
  for (auto& worker : workers_) worker->cancel_drain();
  LOG_INFO(kLog, "drain cancelled");
  return true;
}

void Server::quit() {
  std::lock_guard lock(drain_mutex_);
  if (draining_) {
    // A drain the admin API started (a preStop hook, say) keeps its deadline.
    drain_plan_.exit_when_done = true;
    check_drain_soon();
    return;
  }
  admin::DrainOptions plan;
  plan.timeout = std::chrono::seconds(config_.drain_timeout_seconds);
  plan.stop_accepting = false;
  plan.exit_when_done = true;
  start_drain_locked(plan);
}

bool Server::draining() const {
  std::lock_guard lock(drain_mutex_);
  return draining_;
}

bool Server::drain_over() const {
  std::lock_guard lock(drain_mutex_);
  return draining_ && nothing_left();
}

bool Server::nothing_left() const {
  // Closed, not merely no longer accepting: until the backlogs are taken, connections
  // the kernel completed are not counted yet.
  return listener_->closed() && connection_count() == 0;
}

std::chrono::milliseconds Server::drain_time_left() const {
  std::lock_guard lock(drain_mutex_);
  if (!draining_) return std::chrono::milliseconds(0);
  const auto left = drain_deadline_ - DrainClock::now();
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(left));
}

void Server::check_drain_soon() {
  asio::post(control_, [this] { check_drain(); });
}

void Server::check_drain() {
  bool finished = false;
  {
    std::lock_guard lock(drain_mutex_);
    if (!started_ || !draining_ || drain_finished_told_) return;
    const DrainState state{drain_deadline_, drain_plan_.exit_when_done, listener_->accepting(), nothing_left()};
    const DrainStep step = drain_step(state, DrainClock::now());
    if (step.close_listeners) listener_->stop_accepting();
    if (step.next_check) {
      drain_timer_.expires_at(*step.next_check);  // a wait still pending ends as aborted
      drain_timer_.async_wait([this](const asio::error_code& error) {
        if (!error) check_drain();
      });
    }
    drain_finished_told_ = step.finished;
    finished = step.finished;
  }
  if (finished) drain_finished_();
}

}  // namespace zedge::server
