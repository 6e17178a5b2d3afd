#include "daemon/store/store_pool.h"

namespace frontdesk {
namespace {
// More idle connections than this are closed on return: each holds a page
// cache, and RSS matters on a small box.
constexpr size_t kMaxIdle = 8;
}  // namespace

Result<StorePool::Lease> StorePool::Acquire() {
  {
    auto idle = idle_.Lock();
    if (!idle->empty()) {
      std::unique_ptr<Store> s = std::move(idle->back());
      idle->pop_back();
      return Lease(this, std::move(s));
    }
  }
  StoreOptions o = options_;
  o.migrate = false;
  Result<std::unique_ptr<Store>> s = Store::Open(path_, o);
  if (!s.ok()) return s.status();
  return Lease(this, std::move(*s));
}

void StorePool::Return(std::unique_ptr<Store> store) {
  auto idle = idle_.Lock();
  if (idle->size() < kMaxIdle) idle->push_back(std::move(store));
}

void StorePool::CloseIdle() { idle_.Lock()->clear(); }

}  // namespace frontdesk
