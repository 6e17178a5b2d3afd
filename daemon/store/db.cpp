#include "daemon/store/db.h"

#include <spdlog/spdlog.h>

#include "daemon/store/pg_db.h"
#include "daemon/store/sqlite_db.h"

namespace frontdesk {

bool IsPostgresUrl(std::string_view location) {
  return location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0;
}

std::string SqlitePathOf(std::string_view location) {
  constexpr std::string_view kScheme = "sqlite://";
  if (location.rfind(kScheme, 0) == 0) return std::string(location.substr(kScheme.size()));
  return std::string(location);
}

std::string RedactedLocation(std::string_view location) {
  if (!IsPostgresUrl(location)) return std::string(location);
  // scheme://user:password@hosts/... : the password is between the first
  // ':' after the scheme and the last '@' before the path.
  size_t start = location.find("://") + 3;
  size_t slash = location.find('/', start);
  std::string_view authority = location.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
  size_t at = authority.rfind('@');
  std::string out(location);
  if (at != std::string_view::npos) {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos && colon < at) out.replace(start + colon + 1, at - colon - 1, "***");
  }
  size_t query = out.find("password=");
  if (query != std::string::npos) {
    size_t end = out.find('&', query);
    out.replace(query + 9, end == std::string::npos ? std::string::npos : end - query - 9, "***");
  }
  return out;
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& location, const DbOptions& options) {
  if (IsPostgresUrl(location)) {
    Result<std::unique_ptr<PgDb>> db = PgDb::Open(location, options);
    if (!db.ok()) return db.status();
    return std::unique_ptr<Db>(std::move(*db));
  }
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(SqlitePathOf(location), options);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Db>(std::move(*db));
}

Status Stmt::Run() {
  for (;;) {
    Result<bool> r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

std::string InIds(const Db& db, std::string_view column, int param) {
  std::string p = "?" + std::to_string(param);
  if (db.postgres()) return std::string(column) + " = ANY(CAST(" + p + " AS BIGINT[]))";
  return std::string(column) + " IN (SELECT value FROM json_each(" + p + "))";
}

std::string IdsParam(const Db& db, const std::vector<int64_t>& ids) {
  std::string out(1, db.postgres() ? '{' : '[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += db.postgres() ? '}' : ']';
  return out;
}

Result<std::unique_ptr<Txn>> Txn::Begin(Db& db, Mode mode) {
  Status s = mode == Mode::kImmediate ? db.BeginWrite() : db.BeginRead();
  if (!s.ok()) return s;
  return std::unique_ptr<Txn>(new Txn(db));
}

Txn::~Txn() {
  if (!done_ && db_.InTransaction()) {
    Status s = db_.Exec("ROLLBACK");
    if (!s.ok()) spdlog::warn("rollback failed: {}", s.ToString());
  }
}

Status Txn::Commit() {
  Status s = db_.Commit();
  if (s.ok()) done_ = true;
  return s;
}

}  // namespace frontdesk
