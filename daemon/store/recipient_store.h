// recipient_store.h: what Frontdesk knows about the addresses it mails:
// whether one is bouncing (a permanent delivery failure came back), so no
// automatic mail goes to it. Writes expect the caller's transaction.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct RecipientInfo {
  std::string address;
  bool bouncing = false;
  std::optional<Timestamp> bounced_at;
  std::string bounce_reason;
};

class RecipientStore {
 public:
  explicit RecipientStore(Store& store) : db_(store.db()) {}

  Status MarkBouncing(const std::string& address, const std::string& reason, Timestamp now);
  // Lifted when the address proves to work again: its owner wrote to us.
  Status ClearBouncing(const std::string& address);
  // A fresh record when the address is unknown.
  Result<RecipientInfo> Get(const std::string& address);
  // Bouncing addresses in address order, after `after` (a keyset page).
  Result<std::vector<RecipientInfo>> ListBouncing(int limit, const std::string& after);

 private:
  Db& db_;
};

}  // namespace frontdesk
