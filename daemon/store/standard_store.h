// standard_store.h: where each service standard stands in each queue
// (schema v13, standard_state): whether its rolling rate is below the
// standard now, since when, and how often it has fallen. A row appears the
// first time a standard falls in a queue. Fall and Recover change the row
// only when it is in the other state, so of several processes that check at
// once, exactly one sees the change and tells the lead.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct StandardKey {
  std::string queue, policy, target;
  bool operator<(const StandardKey& o) const {
    return std::tie(queue, policy, target) < std::tie(o.queue, o.policy, o.target);
  }
};

struct StandardState {
  StandardKey key;
  std::optional<Timestamp> below_since;  // none while the standard is met
  int64_t met = 0, decided = 0;          // the rate at the last change
  int64_t falls = 0;
  Timestamp changed_at;
};

class StandardStore {
 public:
  explicit StandardStore(Store& store) : db_(store.db()) {}

  Result<std::vector<StandardState>> All();
  // Records a fall below the standard and returns how many falls there
  // have been, or none when the standard was already below (nothing
  // written).
  Result<std::optional<int64_t>> Fall(const StandardKey& key, int64_t met, int64_t decided, Timestamp now);
  // Records a recovery; false when it was not below (nothing written).
  Result<bool> Recover(const StandardKey& key, int64_t met, int64_t decided, Timestamp now);

 private:
  Db& db_;
};

}  // namespace frontdesk
