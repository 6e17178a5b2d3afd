#include "daemon/base/thread_pool.h"

#include <algorithm>
#include <thread>

namespace frontdesk {
namespace {
constexpr auto kExtraIdle = std::chrono::seconds(5);
}  // namespace

ElasticThreadPool::ElasticThreadPool(size_t base, size_t max, size_t max_pending)
    : base_(base), max_(std::max(base, max)), max_pending_(max_pending) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < base_; ++i) {
    ++threads_;
    std::thread([this] { Work(false); }).detach();
  }
}

ElasticThreadPool::~ElasticThreadPool() { Shutdown(); }

bool ElasticThreadPool::TryEnqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutdown_) return false;
  // A thread not running a job (idle, or still starting) takes a queued
  // one soon; the jobs beyond those wait, max_pending_ of them at most.
  size_t free = threads_ - busy_;
  if (threads_ >= max_ && jobs_.size() >= free + max_pending_) return false;
  jobs_.push_back(std::move(fn));
  if (jobs_.size() > free && threads_ < max_) {
    ++threads_;
    std::thread([this] { Work(true); }).detach();
  }
  wake_.notify_one();
  return true;
}

void ElasticThreadPool::Shutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  shutdown_ = true;
  wake_.notify_all();
  // Threads finish what is queued, then leave; wait until the last one has,
  // so nothing runs after the server that owns the handlers is gone.
  exited_.wait(lock, [this] { return threads_ == 0; });
}

void ElasticThreadPool::Work(bool extra) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    bool woke = true;
    if (extra) {
      woke = wake_.wait_for(lock, kExtraIdle, [this] { return shutdown_ || !jobs_.empty(); });
    } else {
      wake_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
    }
    if (jobs_.empty() && (shutdown_ || !woke)) break;
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    ++busy_;
    lock.unlock();
    job();
    lock.lock();
    --busy_;
  }
  --threads_;
  if (threads_ == 0) exited_.notify_all();
}

}  // namespace frontdesk
