// write_queue.h: the daemon's single writer. Request threads hand it jobs;
// whatever has queued up runs as one batch: BEGIN IMMEDIATE, each job inside
// its own SAVEPOINT, one COMMIT. A caller returns only after the commit that
// holds its job, so a 2xx always means durable (promise 1), and concurrent
// requests share one fsync (group commit). A job that fails rolls back to
// its savepoint without touching its neighbours. One batch runs at a time:
// on the caller's own thread when nobody is writing, otherwise on the
// writer thread once the running batch has committed.
// Thread-safe: Run() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/store/store.h"

namespace frontdesk {

class WriteQueue {
 public:
  // A job does its writes through the Store and returns ok, or an error that
  // undoes only its own writes. It must have no effect outside the database
  // until Run() has returned ok.
  using Job = std::function<Status(Store&)>;

  WriteQueue(std::unique_ptr<Store> store, size_t max_batch = 256);
  ~WriteQueue();

  // Runs `job` in a batch and returns once that batch has committed (the
  // job's status) or failed (the failure, usually transient).
  Status Run(Job job);
  // Finishes what is queued, then stops; Run() answers kUnavailable after.
  void Stop();

  uint64_t batches() const { return batches_.load(); }
  uint64_t jobs() const { return jobs_.load(); }
  // Why the database could not be written the last time it was tried (a
  // read-only file or file system, a full disk, an I/O error), or "" when
  // the last write went through. /healthz reports it as degraded: reads
  // still work then, but no ticket can be taken.
  std::string write_error() const;

 private:
  struct Pending {
    Job job;
    std::promise<Status> done;
  };
  void Loop();
  // Moves up to max_batch_ queued jobs into `batch`; mutex_ held.
  void TakeBatch(std::vector<Pending>& batch);
  void RunBatch(std::vector<Pending>& batch);
  void NoteHealth(const Status& s);

  std::unique_ptr<Store> store_;
  size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  bool writing_ = false;  // a batch is running, on some thread
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> jobs_{0};
  mutable std::mutex health_mutex_;
  std::string write_error_;
  std::thread thread_;
};

}  // namespace frontdesk
