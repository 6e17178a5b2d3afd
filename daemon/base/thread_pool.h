// thread_pool.h: the worker threads behind each HTTP listener. A listener
// hands a job over only once its request has arrived (web/connection_gate.h),
// so a thread is held for the work, not for the client's pace. The pool
// keeps `base` threads and, while all are busy, starts more up to `max`; an
// extra thread ends after a short idle spell. The queue is bounded: once
// `max` threads are busy and `max_pending` jobs wait, TryEnqueue refuses, so
// a burst is answered "busy" at once instead of waiting without end.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace frontdesk {

class ElasticThreadPool final {
 public:
  ElasticThreadPool(size_t base, size_t max, size_t max_pending);
  ~ElasticThreadPool();
  ElasticThreadPool(const ElasticThreadPool&) = delete;
  ElasticThreadPool& operator=(const ElasticThreadPool&) = delete;

  // Queues `fn`; false, and `fn` is dropped, when the queue is full or the
  // pool is shutting down.
  [[nodiscard]] bool TryEnqueue(std::function<void()> fn);
  // Runs what is queued, then waits until every thread has ended, so that
  // nothing runs after the owner of the jobs' targets is gone. Idempotent.
  void Shutdown();

 private:
  void Work(bool extra);

  const size_t base_;
  const size_t max_;
  const size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable exited_;
  std::deque<std::function<void()>> jobs_;
  size_t threads_ = 0;
  size_t busy_ = 0;  // threads running a job
  bool shutdown_ = false;
};

}  // namespace frontdesk
