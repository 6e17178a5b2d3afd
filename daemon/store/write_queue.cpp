#include "daemon/store/write_queue.h"

#include <spdlog/spdlog.h>

namespace frontdesk {

WriteQueue::WriteQueue(std::unique_ptr<Store> store, size_t max_batch)
    : store_(std::move(store)), max_batch_(max_batch) {
  thread_ = std::thread([this] { Loop(); });
}

WriteQueue::~WriteQueue() { Stop(); }

Status WriteQueue::Run(Job job) {
  std::future<Status> result;
  std::vector<Pending> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Status::Unavailable("shutting down");
    queue_.push_back(Pending{std::move(job), {}});
    result = queue_.back().done.get_future();
    // Nobody is writing: this thread runs the batch itself rather than
    // waking the writer thread and waiting to be woken in turn, two thread
    // hops that cost an uncontended write as much as its SQL. Jobs queued
    // while it runs go to the writer thread as the next batch.
    if (!writing_) {
      writing_ = true;
      TakeBatch(batch);
    }
  }
  if (batch.empty()) {
    wake_.notify_one();
    return result.get();
  }
  RunBatch(batch);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writing_ = false;
  }
  wake_.notify_all();  // the writer thread, for what queued meanwhile; Stop
  return result.get();
}

void WriteQueue::TakeBatch(std::vector<Pending>& batch) {
  while (!queue_.empty() && batch.size() < max_batch_) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void WriteQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // A caller may still be running its own batch on the store.
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [this] { return !writing_; });
}

void WriteQueue::Loop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return (stopping_ && !writing_) || (!queue_.empty() && !writing_); });
      if (queue_.empty()) return;  // stopping, and everything is done
      writing_ = true;
      TakeBatch(batch);
    }
    RunBatch(batch);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      writing_ = false;
    }
    wake_.notify_all();
  }
}

std::string WriteQueue::write_error() const {
  std::lock_guard<std::mutex> lock(health_mutex_);
  return write_error_;
}

void WriteQueue::NoteHealth(const Status& s) {
  std::lock_guard<std::mutex> lock(health_mutex_);
  if (s.ok()) {
    write_error_.clear();
  } else if (s.code() == Status::Code::kIo) {
    write_error_ = s.message();
  }
}

void WriteQueue::RunBatch(std::vector<Pending>& batch) {
  Db& db = store_->db();
  std::vector<Status> results(batch.size());
  auto fail_all = [&](const Status& s) {
    NoteHealth(s);
    for (Pending& p : batch) p.done.set_value(s);
  };
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(db);
  if (!txn.ok()) {
    fail_all(txn.status());
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = db.Exec("SAVEPOINT job");
    if (!s.ok()) {
      fail_all(s);
      return;
    }
    try {
      results[i] = batch[i].job(*store_);
    } catch (const std::exception& e) {
      results[i] = Status::Internal(std::string("write job threw: ") + e.what());
    }
    // Some errors (a full disk, an I/O error) make SQLite roll the whole
    // transaction back by itself. Every job of the batch is lost then, and
    // must be reported as failed, not as committed.
    if (!db.InTransaction()) {
      Status lost = results[i].ok() ? Status::Io("the transaction was rolled back") : results[i];
      spdlog::error("write batch rolled back by the database: {}", lost.ToString());
      fail_all(lost);
      return;
    }
    if (results[i].ok()) {
      s = db.Exec("RELEASE job");
    } else {
      s = db.Exec("ROLLBACK TO job");
      if (s.ok()) s = db.Exec("RELEASE job");
    }
    if (!s.ok()) {
      fail_all(s);
      return;
    }
  }
  Status committed = (*txn)->Commit();
  batches_++;
  jobs_ += batch.size();
  // A job that could not write (a read-only file) fails on its own while
  // the empty batch commits; it still means the database is not writable.
  Status health = committed;
  bool wrote = false;
  for (const Status& r : results) {
    if (!r.ok() && r.code() == Status::Code::kIo && health.ok()) health = r;
    wrote = wrote || r.ok();
  }
  if (!health.ok() || wrote) NoteHealth(health);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done.set_value(committed.ok() ? results[i] : committed);
  }
}

}  // namespace frontdesk
