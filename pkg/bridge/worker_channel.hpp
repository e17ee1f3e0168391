// The lock-free link between one worker thread and the bridge thread: a queue each way
// plus an eventfd that wakes the worker when the bridge has put something in its queue.
// Workers wake the bridge through the bridge's own eventfd (ZmqBridge::wake()).
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "bridge/messages.hpp"
#include "bridge/spsc_queue.hpp"

namespace zedge::bridge {

inline constexpr std::size_t kWorkerQueueCapacity = 16384;

class WorkerChannel {
 public:
  WorkerChannel()
      : to_bridge(kWorkerQueueCapacity),
        to_worker(kWorkerQueueCapacity),
        worker_wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~WorkerChannel() {
    if (worker_wake_fd_ >= 0) ::close(worker_wake_fd_);
  }
  WorkerChannel(const WorkerChannel&) = delete;
  WorkerChannel& operator=(const WorkerChannel&) = delete;

  SpscQueue<ToBridge> to_bridge;
  SpscQueue<ToWorker> to_worker;

  int worker_wake_fd() const { return worker_wake_fd_; }

  // Bridge side: wake the worker (coalesced by the eventfd counter).
  void wake_worker() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(worker_wake_fd_, &one, sizeof one);
  }

  // Set by the worker when it cannot push because to_bridge is full, so the bridge
  // wakes it once there is room again.
  std::atomic<bool> worker_waiting_for_room{false};

 private:
  int worker_wake_fd_;
};

}  // namespace zedge::bridge
