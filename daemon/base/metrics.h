// metrics.h: the counters and histograms served at /metrics in the
// Prometheus text format. Counters are atomics; labelled series live in a
// map under a lock. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "daemon/base/guarded.h"

namespace frontdesk {

class Metrics {
 public:
  // Latency buckets in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  void ObserveRequest(const std::string& listener, const std::string& route, const std::string& method,
                      int code, double seconds);
  void TicketCreated(const std::string& channel);
  void Count(const std::string& name, const std::string& label_name = {},
             const std::string& label_value = {});

  // The exposition text. `gauges` are lines computed at scrape time (for
  // example open tickets by status), appended as they are.
  std::string Render(const std::string& gauges) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  using RequestKey = std::tuple<std::string, std::string, std::string, int>;
  struct State {
    std::map<RequestKey, Histogram> requests;
    std::map<std::string, uint64_t> tickets_created;
    // name -> (label pair -> count)
    std::map<std::string, std::map<std::pair<std::string, std::string>, uint64_t>> counters;
  };
  mutable Guarded<State> state_;
};

// Escapes a label value for the exposition format.
std::string PromLabel(std::string_view v);

}  // namespace frontdesk
