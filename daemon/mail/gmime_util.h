// gmime_util.h: what every user of GMime needs: its one-time init, and
// ownership of a GObject reference. Thread-safe.
#pragma once

#include <gmime/gmime.h>

#include <mutex>
#include <utility>

namespace frontdesk {

inline void InitGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Owns one GObject reference.
template <class T>
struct GPtr {
  T* p = nullptr;
  explicit GPtr(T* v = nullptr) : p(v) {}
  ~GPtr() {
    if (p) g_object_unref(p);
  }
  GPtr(const GPtr&) = delete;
  GPtr& operator=(const GPtr&) = delete;
  GPtr(GPtr&& o) noexcept : p(std::exchange(o.p, nullptr)) {}
  GPtr& operator=(GPtr&& o) noexcept {
    if (this != &o) {
      if (p) g_object_unref(p);
      p = std::exchange(o.p, nullptr);
    }
    return *this;
  }
  T* get() const { return p; }
};

}  // namespace frontdesk
