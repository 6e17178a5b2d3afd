#include "daemon/store/token_store.h"

#include "daemon/base/random.h"

namespace frontdesk {
namespace {

constexpr std::string_view kPrefix = "fdt_";
constexpr size_t kPublicIdBytes = 6;   // 8 characters
constexpr size_t kSecretBytes = 32;    // 256 bits: a fast hash is enough

TokenInfo ReadToken(const Stmt& st) {
  TokenInfo t;
  t.id = st.Int(0);
  t.public_id = st.Text(1);
  t.name = st.Text(2);
  t.scope = ParseScope(st.Text(3)).value_or(Scope::kRead);
  t.created_at = FromUnix(st.Int(4));
  if (auto v = st.OptInt(5)) t.last_used_at = FromUnix(*v);
  if (auto v = st.OptInt(6)) t.revoked_at = FromUnix(*v);
  return t;
}

}  // namespace

const char* ScopeName(Scope s) {
  switch (s) {
    case Scope::kRead: return "read";
    case Scope::kWrite: return "write";
    case Scope::kAdmin: return "admin";
  }
  return "read";
}

std::optional<Scope> ParseScope(std::string_view name) {
  if (name == "read") return Scope::kRead;
  if (name == "write") return Scope::kWrite;
  if (name == "admin") return Scope::kAdmin;
  return std::nullopt;
}

Result<NewToken> TokenStore::Create(std::string_view name, Scope scope, Timestamp now) {
  if (name.empty() || name.size() > 100) {
    return Status::Invalid("a token name must be 1 to 100 characters", "name");
  }
  Result<std::optional<TokenInfo>> live = FindLive(name);
  if (!live.ok()) return live.status();
  if (*live) {
    const TokenInfo& t = **live;
    return Status::Conflict(
        "a token named '" + t.name + "' already exists (id " + t.public_id + ", scope " +
        ScopeName(t.scope) + ", created " + FormatRfc3339(t.created_at) +
        "); choose another name, or revoke that one first: frontdesk token revoke " + t.public_id);
  }
  NewToken out;
  // The public id must not contain '_', which separates the parts.
  do {
    out.info.public_id = RandomToken(kPublicIdBytes);
  } while (out.info.public_id.find('_') != std::string::npos);
  std::string secret = RandomToken(kSecretBytes);
  out.secret = std::string(kPrefix) + out.info.public_id + "_" + secret;
  out.info.name = std::string(name);
  out.info.scope = scope;
  out.info.created_at = now;

  Result<Stmt> st = db_.Prepare(
      "INSERT INTO api_tokens(public_id, name, scope, secret_sha256, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st.ok()) return st.status();
  st->Bind(1, out.info.public_id)
      .Bind(2, out.info.name)
      .Bind(3, ScopeName(scope))
      .BindBlob(4, Sha256Raw(secret))
      .Bind(5, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  out.info.id = db_.LastInsertId();
  return out;
}

Result<std::optional<TokenInfo>> TokenStore::FindLive(std::string_view name) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, public_id, name, scope, created_at, last_used_at, revoked_at "
      "FROM api_tokens WHERE name = ?1 AND revoked_at IS NULL ORDER BY id LIMIT 1");
  if (!st.ok()) return st.status();
  st->Bind(1, name);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<TokenInfo>();
  return std::optional<TokenInfo>(ReadToken(*st));
}

Result<std::vector<TokenInfo>> TokenStore::List() {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, public_id, name, scope, created_at, last_used_at, revoked_at "
      "FROM api_tokens ORDER BY id");
  if (!st.ok()) return st.status();
  return st->Rows([](const Stmt& r) { return ReadToken(r); });
}

Status TokenStore::Revoke(std::string_view id_or_name, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?1) "
      "WHERE public_id = ?2 OR name = ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, ToUnix(now)).Bind(2, id_or_name);
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() == 0) {
    return Status::NotFound("no token with id or name '" + std::string(id_or_name) + "'");
  }
  return Status::Ok();
}

std::string TokenPublicId(std::string_view presented) {
  if (presented.size() > 200 || presented.substr(0, kPrefix.size()) != kPrefix) return "";
  std::string_view rest = presented.substr(kPrefix.size());
  size_t sep = rest.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep > 40) return "";
  std::string_view id = rest.substr(0, sep);
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return "";
  }
  return std::string(id);
}

Result<TokenInfo> TokenStore::Authenticate(std::string_view presented, Timestamp now) {
  const Status denied = Status::Unauthorized("invalid or revoked token");
  if (presented.size() > 200 || presented.substr(0, kPrefix.size()) != kPrefix) return denied;
  std::string_view rest = presented.substr(kPrefix.size());
  size_t sep = rest.find('_');
  if (sep == std::string_view::npos) return denied;
  std::string_view public_id = rest.substr(0, sep);
  std::string_view secret = rest.substr(sep + 1);

  Result<Stmt> st = db_.Prepare(
      "SELECT id, public_id, name, scope, created_at, last_used_at, revoked_at, secret_sha256 "
      "FROM api_tokens WHERE public_id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, public_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  // Hash even when the id is unknown, so both paths take the same time.
  std::string presented_hash = Sha256Raw(secret);
  std::string stored_hash = *row ? st->Text(7) : std::string(32, '\0');
  bool match = ConstantTimeEquals(presented_hash, stored_hash);
  if (!*row || !match) return denied;
  TokenInfo info = ReadToken(*st);
  if (info.revoked_at) return denied;

  // last_used_at is advisory; a failure to write it must not refuse the call,
  // and writing it on every request would serialise readers behind the
  // writer, so it is written at most once a minute.
  if (!info.last_used_at || now - *info.last_used_at >= std::chrono::minutes(1)) {
    Result<Stmt> up = db_.Prepare("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2");
    if (up.ok()) {
      up->Bind(1, ToUnix(now)).Bind(2, info.id);
      (void)up->Run();
    }
  }
  return info;
}

}  // namespace frontdesk
