// token_store.h: admin API tokens. A token reads "fdt_<public id>_<secret>";
// only the SHA-256 of the secret is stored, and it is compared in constant
// time. Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

enum class Scope { kRead = 1, kWrite = 2, kAdmin = 3 };
const char* ScopeName(Scope s);
std::optional<Scope> ParseScope(std::string_view name);

struct TokenInfo {
  int64_t id = 0;
  std::string public_id;
  std::string name;
  Scope scope = Scope::kRead;
  Timestamp created_at;
  std::optional<Timestamp> last_used_at;
  std::optional<Timestamp> revoked_at;
};

struct NewToken {
  TokenInfo info;
  std::string secret;  // the whole token text; shown once, never stored
};

// The public id of a presented token ("fd_<id>_<secret>"), for the log: never
// the secret. "" when the text is not shaped like a token.
std::string TokenPublicId(std::string_view presented);

class TokenStore {
 public:
  explicit TokenStore(Store& store) : db_(store.db()) {}

  // kConflict when a token that is not revoked already has `name`: a name
  // is what `token revoke NAME` and the event log identify a token by, so
  // two live tokens must not share one. Run it in a write transaction
  // (BEGIN IMMEDIATE) so that the check and the insert are one step.
  Result<NewToken> Create(std::string_view name, Scope scope, Timestamp now);
  // The token named `name` that is not revoked, if there is one.
  Result<std::optional<TokenInfo>> FindLive(std::string_view name);
  Result<std::vector<TokenInfo>> List();
  // Revokes by public id or by name. Revoking twice is not an error.
  Status Revoke(std::string_view id_or_name, Timestamp now);
  // Checks a presented token. kUnauthorized for unknown, malformed or revoked
  // tokens, without saying which.
  Result<TokenInfo> Authenticate(std::string_view presented, Timestamp now);

 private:
  Db& db_;
};

}  // namespace frontdesk
