// Bounded single-producer/single-consumer ring. Workers and the ZeroMQ bridge exchange
// packets through a pair of these per worker, so the data path takes no locks.
// Bounded on purpose: a full queue is backpressure, not growth.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

namespace zedge::bridge {

template <typename T>
class SpscQueue {
 public:
  // capacity is rounded up to a power of two.
  explicit SpscQueue(std::size_t capacity) {
    std::size_t cap = 1;
    while (cap < capacity) cap <<= 1;
    mask_ = cap - 1;
    slots_ = std::make_unique<T[]>(cap);
  }

  // Producer only. Returns false when full (the item is left untouched).
  bool try_push(T& item) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) > mask_) return false;
    slots_[head & mask_] = std::move(item);
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer only.
  bool try_pop(T& out) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    T& slot = slots_[tail & mask_];
    out = std::move(slot);
    // Free what the slot still owns now. Assigning T{} is not enough: libstdc++'s string
    // move-assignment swaps buffers with `out` and keeps its own when the source is empty,
    // so every slot ever used would keep a frame-sized buffer (122 MB in the 4 KB
    // WebSocket echo benchmark).
    std::destroy_at(&slot);
    std::construct_at(&slot);
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  bool empty() const { return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_acquire); }

 private:
  std::unique_ptr<T[]> slots_;
  std::size_t mask_ = 0;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace zedge::bridge
