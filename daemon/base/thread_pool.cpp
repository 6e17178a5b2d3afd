#include "daemon/base/thread_pool.h"

namespace frontdesk {
namespace {
constexpr auto kExtraIdle = std::chrono::seconds(5);
}  // namespace

ElasticThreadPool::ElasticThreadPool(size_t base, size_t max) : base_(base), max_(std::max(base, max)) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < base_; ++i) {
    ++threads_;
    std::thread([this] { Work(false); }).detach();
  }
}

ElasticThreadPool::~ElasticThreadPool() { shutdown(); }

void ElasticThreadPool::enqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutdown_) return;
  jobs_.push_back(std::move(fn));
  if (idle_ < jobs_.size() && threads_ < max_) {
    ++threads_;
    std::thread([this] { Work(true); }).detach();
  }
  wake_.notify_one();
}

void ElasticThreadPool::shutdown() {
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
    ++idle_;
    bool woke = true;
    if (extra) {
      woke = wake_.wait_for(lock, kExtraIdle, [this] { return shutdown_ || !jobs_.empty(); });
    } else {
      wake_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
    }
    --idle_;
    if (jobs_.empty() && (shutdown_ || !woke)) break;
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  --threads_;
  if (threads_ == 0) exited_.notify_all();
}

}  // namespace frontdesk
