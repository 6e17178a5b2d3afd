// secret_store.h: named random secrets, created on first use inside the
// caller's write transaction (so two processes asking at once agree on one).
// Not thread-safe; bound to one Store.
#pragma once

#include <string>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

inline constexpr const char* kMailSecret = "mail";

class SecretStore {
 public:
  explicit SecretStore(Store& store) : db_(store.db()) {}
  explicit SecretStore(Db& db) : db_(db) {}
  // The secret `name` (32 random bytes), created now when missing.
  Result<std::string> GetOrCreate(const std::string& name, Timestamp now);
  // The secret, or "" when it was never created (for read-only callers).
  Result<std::string> Get(const std::string& name);

 private:
  Db& db_;
};

}  // namespace frontdesk
