// clock.h: the only way Frontdesk reads the time. SystemClock is the one place
// that calls the system clock; tests inject a FakeClock so that SLA arithmetic
// is a pure function of time. Both are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

// Seconds since the Unix epoch, UTC. Whole seconds are the unit of every
// stored time and every SLA figure.
using Timestamp = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp(std::chrono::seconds(now_.load())); }
  void Set(Timestamp t) { now_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::seconds d) { now_ += d.count(); }

 private:
  std::atomic<int64_t> now_;
};

// "2026-11-22T10:00:00Z": RFC 3339 in UTC, as the API and the logs print it.
std::string FormatRfc3339(Timestamp t);
// Accepts RFC 3339 with "Z" or a numeric offset, and fractional seconds
// (dropped). Returns nothing when the text is not a valid time.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

inline int64_t ToUnix(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromUnix(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

}  // namespace frontdesk
