// store_pool.h: a pool of Store connections for the daemon's threads. A
// request leases one, uses it alone, and gives it back. SQLite in WAL mode
// lets the leased readers run beside the one writer. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/base/guarded.h"
#include "daemon/store/store.h"

namespace frontdesk {

class StorePool {
 public:
  StorePool(std::string path, StoreOptions options)
      : path_(std::move(path)), options_(options) {}

  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<Store> store)
        : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Return(std::move(store_));
    }
    Store& operator*() { return *store_; }
    Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<Store> store_;
  };

  // An idle connection, or a new one. Never blocks on other leases.
  Result<Lease> Acquire();
  // Closes every idle connection; leases out keep theirs until returned.
  void CloseIdle();

 private:
  void Return(std::unique_ptr<Store> store);

  std::string path_;
  StoreOptions options_;
  Guarded<std::vector<std::unique_ptr<Store>>> idle_;
};

}  // namespace frontdesk
