// guarded.h: data that is only reachable while holding its lock. Use it for
// every piece of state shared between threads, so that forgetting the lock
// does not compile.
#pragma once

#include <mutex>
#include <utility>

namespace frontdesk {

template <class T>
class Guarded {
 public:
  template <class... Args>
  explicit Guarded(Args&&... args) : value_(std::forward<Args>(args)...) {}

  class Locked {
   public:
    Locked(std::mutex& m, T& v) : lock_(m), value_(v) {}
    T& operator*() { return value_; }
    T* operator->() { return &value_; }

   private:
    std::unique_lock<std::mutex> lock_;
    T& value_;
  };

  Locked Lock() { return Locked(mutex_, value_); }

 private:
  std::mutex mutex_;
  T value_;
};

}  // namespace frontdesk
