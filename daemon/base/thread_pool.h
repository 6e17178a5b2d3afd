// thread_pool.h: the task queue behind each HTTP listener. cpp-httplib runs
// one connection per task and keeps it for the whole keep-alive period, so
// a fixed pool stalls every new client while idle keep-alive connections
// hold all threads. This pool keeps `base` threads and, when all are busy,
// starts more up to `max`; an extra thread ends after a short idle spell.
// `max` bounds what a flood of slow clients can take. Thread-safe.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace frontdesk {

class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  ElasticThreadPool(size_t base, size_t max);
  ~ElasticThreadPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work(bool extra);

  const size_t base_;
  const size_t max_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable exited_;
  std::deque<std::function<void()>> jobs_;
  size_t threads_ = 0;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace frontdesk
