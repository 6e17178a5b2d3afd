#include "daemon/store/pg_db.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kVarcharOid = 1043;

// The key of the advisory lock every write transaction takes: PostgreSQL's
// rows are locked one by one, but the store's read-then-write steps were
// written for SQLite's one writer at a time, and keep that guarantee here.
// ASCII "FRONTDSK".
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(5067054170371593035)";

// Each character's value as a hex digit. A table, not comparisons: a
// year's KPI hours are megabytes of hex, and decoding them a character at
// a time with branches was a quarter of a year's report.
struct HexTable {
  unsigned char value[256] = {};
  constexpr HexTable() {
    for (int c = '0'; c <= '9'; ++c) value[c] = static_cast<unsigned char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) value[c] = static_cast<unsigned char>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) value[c] = static_cast<unsigned char>(c - 'A' + 10);
  }
};
constexpr HexTable kHex;

// PostgreSQL's hex bytea output after its "\\x": always an even number of
// digits.
void DecodeHex(std::string_view hex, std::string* out) {
  out->resize(hex.size() / 2);
  char* dst = out->data();
  const auto* src = reinterpret_cast<const unsigned char*>(hex.data());
  for (size_t i = 0; i < out->size(); ++i) {
    dst[i] = static_cast<char>((kHex.value[src[2 * i]] << 4) | kHex.value[src[2 * i + 1]]);
  }
}

bool StartsWith(const char* s, const char* prefix) { return s != nullptr && std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

// PostgreSQL text holds only valid UTF-8 and no NUL, where SQLite keeps any
// bytes. Text that breaks either rule (a mangled body filed quarantined) is
// stored with U+FFFD in place of each bad byte; the raw message itself is
// kept byte for byte in blobs.
std::string StorableText(std::string_view text) {
  if (IsValidUtf8(text) && text.find('\0') == std::string_view::npos) return std::string(text);
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (c != 0 && len != 0 && i + len <= text.size() && IsValidUtf8(text.substr(i, len))) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out.append(kReplacement);
      ++i;
    }
  }
  return out;
}

// A binary integer: big-endian, as wide as its type.
int64_t BinaryInt(const char* v, int length) {
  uint64_t u = 0;
  for (int i = 0; i < length; ++i) u = (u << 8) | static_cast<unsigned char>(v[i]);
  if (length < 8 && length > 0 && (u >> (8 * length - 1)) != 0) u |= ~uint64_t{0} << (8 * length);  // sign
  return static_cast<int64_t>(u);
}

}  // namespace

std::string PgPlaceholders(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;
  int highest = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted name: copied as it is
      size_t end = sql.find(c, i + 1);
      while (end != std::string_view::npos && end + 1 < sql.size() && sql[end + 1] == c) end = sql.find(c, end + 2);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
      continue;
    }
    if (c != '?') {
      out.push_back(c);
      continue;
    }
    int n = 0;
    size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = ++next;
    if (n > highest) highest = n;
    out += '$';
    out += std::to_string(n);
    i = j - 1;
  }
  *params = highest;
  return out;
}

PgStmt::PgStmt(PgDb& db, std::string name, std::string sql, int params)
    : db_(db), name_(std::move(name)), sql_(std::move(sql)), params_(params),
      kinds_(params, Kind::kNull), values_(params) {}

void PgStmt::Set(int index, Kind kind, std::string value) {
  if (index < 1 || index > params_) {
    if (bind_error_.ok()) bind_error_ = Status::Internal("bind: no parameter " + std::to_string(index) + " in " + sql_);
    return;
  }
  kinds_[index - 1] = kind;
  values_[index - 1] = std::move(value);
}

void PgStmt::BindInt(int index, int64_t v) { Set(index, Kind::kInt, std::to_string(v)); }
void PgStmt::BindText(int index, std::string_view text) { Set(index, Kind::kText, StorableText(text)); }
void PgStmt::BindBlob(int index, std::string_view bytes) { Set(index, Kind::kBlob, std::string(bytes)); }
void PgStmt::BindNull(int index, NullOf type) {
  Set(index, type == NullOf::kInt ? Kind::kNullInt : type == NullOf::kText ? Kind::kNullText : Kind::kNull, {});
}

void PgStmt::Reset() {
  result_.reset();
  executed_ = false;
  row_ = -1;
  bind_error_ = Status::Ok();
  std::fill(kinds_.begin(), kinds_.end(), Kind::kNull);
  for (std::string& v : values_) v.clear();
}

Status PgStmt::PrepareOnServer() {
  Status why;
  PGconn* conn = db_.Live(&why);
  if (conn == nullptr) return why;
  // Typed from the first values bound: an integer (or a NULL standing for
  // one) as bigint, bytes as bytea, a NULL standing for text as text; text
  // itself is left for the server to infer, so that it may also fill a
  // number column.
  std::vector<Oid> types(params_, 0);
  for (int i = 0; i < params_; ++i) {
    if (kinds_[i] == Kind::kInt || kinds_[i] == Kind::kNullInt) types[i] = kInt8Oid;
    if (kinds_[i] == Kind::kNullText) types[i] = kTextOid;
    if (kinds_[i] == Kind::kBlob) types[i] = kByteaOid;
  }
  // A failed prepare would abort the transaction it runs in; inside one,
  // it runs under a savepoint so that the retry below can follow.
  bool in_txn = db_.InTransaction();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (in_txn) {
      Status s = db_.Exec("SAVEPOINT fd_prepare");
      if (!s.ok()) return s;
    }
    PgResultPtr r(PQprepare(conn, name_.c_str(), sql_.c_str(), params_, types.data()));
    bool ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    Status failed = ok ? Status::Ok() : db_.ResultStatus(r.get(), "prepare");
    const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    // 42P18 or 42P08, as the other parameters are typed or not.
    bool untyped = !ok && (StartsWith(state, "42P18") || StartsWith(state, "42P08"));
    if (in_txn) {
      Status s = db_.Exec(ok ? "RELEASE fd_prepare" : "ROLLBACK TO fd_prepare; RELEASE fd_prepare");
      if (!s.ok()) return s;
    }
    if (ok) {
      prepared_in_ = db_.generation();
      return Status::Ok();
    }
    // "could not determine data type of parameter": a parameter with no
    // context, such as "?1 IS NULL" alone. Text is what it can only be.
    if (attempt == 0 && untyped) {
      for (Oid& t : types) {
        if (t == 0) t = kTextOid;
      }
      continue;
    }
    return failed;
  }
  return Status::Internal("prepare: unreachable");
}

Status PgStmt::Execute() {
  if (!bind_error_.ok()) return bind_error_;
  if (prepared_in_ != db_.generation() || prepared_in_ == 0) {
    Status s = PrepareOnServer();
    if (!s.ok()) return s;
  }
  Status why;
  PGconn* conn = db_.Live(&why);
  if (conn == nullptr) return why;
  if (prepared_in_ != db_.generation()) {  // reconnected just now
    Status s = PrepareOnServer();
    if (!s.ok()) return s;
  }
  std::vector<const char*> values(params_);
  std::vector<int> lengths(params_);
  std::vector<int> formats(params_);
  for (int i = 0; i < params_; ++i) {
    bool null = kinds_[i] == Kind::kNull || kinds_[i] == Kind::kNullInt || kinds_[i] == Kind::kNullText;
    values[i] = null ? nullptr : values_[i].data();
    lengths[i] = static_cast<int>(values_[i].size());
    formats[i] = kinds_[i] == Kind::kBlob ? 1 : 0;
  }
  result_.reset(PQexecPrepared(conn, name_.c_str(), params_, values.data(), lengths.data(), formats.data(),
                               binary_results_ ? 1 : 0));
  ExecStatusType st = result_ ? PQresultStatus(result_.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Status s = db_.ResultStatus(result_.get(), "step");
    result_.reset();
    return s;
  }
  db_.NoteChanges(result_.get());
  int columns = PQnfields(result_.get());
  decoded_.assign(columns, std::string());
  decoded_row_.assign(columns, -1);
  if (!result_types_known_ && st == PGRES_TUPLES_OK) {
    binary_results_ = WantsBinary(result_.get());
    result_types_known_ = true;
  }
  return Status::Ok();
}

// bytea in text form is hex, twice its size on the socket and decoded again
// here: a year's KPI hours are megabytes of it. A statement that returns
// bytea, and otherwise only types read back below, asks for binary results
// from its second run on (the first is how its result types become known).
bool PgStmt::WantsBinary(const PGresult* r) {
  bool bytea = false;
  for (int c = 0; c < PQnfields(r); ++c) {
    Oid t = PQftype(r, c);
    if (t == kByteaOid) bytea = true;
    if (t != kByteaOid && t != kBoolOid && t != kInt8Oid && t != kInt4Oid && t != kInt2Oid && t != kTextOid &&
        t != kVarcharOid) {
      return false;
    }
  }
  return bytea;
}

Result<bool> PgStmt::Step() {
  if (!executed_) {
    executed_ = true;
    Status s = Execute();
    if (!s.ok()) return s;
  }
  if (!result_) return false;
  ++row_;
  return row_ < PQntuples(result_.get());
}

bool PgStmt::IsNull(int col) const { return PQgetisnull(result_.get(), row_, col) != 0; }

int64_t PgStmt::Int(int col) const {
  if (IsNull(col)) return 0;
  const char* v = PQgetvalue(result_.get(), row_, col);
  bool binary = PQfformat(result_.get(), col) == 1;
  Oid type = PQftype(result_.get(), col);
  if (type == kBoolOid) return binary ? (v[0] != 0 ? 1 : 0) : (v[0] == 't' ? 1 : 0);
  if (binary && (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid)) {
    return BinaryInt(v, PQgetlength(result_.get(), row_, col));
  }
  return std::strtoll(v, nullptr, 10);  // text, in either form (libpq ends every value with a NUL)
}

std::string_view PgStmt::TextView(int col) const {
  Oid type = PQftype(result_.get(), col);
  if (type == kByteaOid) return Blob(col);
  if (PQfformat(result_.get(), col) == 1 && type != kTextOid && type != kVarcharOid) {
    // A number or a bool read as text, spelled as the text form spells it.
    if (decoded_row_[col] != row_) {
      decoded_[col] = IsNull(col) ? "" : type == kBoolOid ? (Int(col) ? "t" : "f") : std::to_string(Int(col));
      decoded_row_[col] = row_;
    }
    return decoded_[col];
  }
  return std::string_view(PQgetvalue(result_.get(), row_, col), PQgetlength(result_.get(), row_, col));
}

std::string_view PgStmt::Blob(int col) const {
  std::string_view raw(PQgetvalue(result_.get(), row_, col), PQgetlength(result_.get(), row_, col));
  if (PQftype(result_.get(), col) != kByteaOid || PQfformat(result_.get(), col) == 1) return raw;
  if (decoded_row_[col] != row_) {
    std::string& out = decoded_[col];
    out.clear();
    if (raw.size() >= 2 && raw[0] == '\\' && raw[1] == 'x') {  // bytea_output = hex, the default
      DecodeHex(raw.substr(2), &out);
    } else {
      size_t n = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(std::string(raw).c_str()), &n);
      if (bytes != nullptr) out.assign(reinterpret_cast<char*>(bytes), n);
      PQfreemem(bytes);
    }
    decoded_row_[col] = row_;
  }
  return decoded_[col];
}

PgDb::PgDb(std::string url, std::string redacted, const DbOptions& options)
    : Db(std::move(redacted)), url_(std::move(url)), options_(options) {}

Result<std::unique_ptr<PgDb>> PgDb::Open(const std::string& url, const DbOptions& options) {
  std::unique_ptr<PgDb> db(new PgDb(url, RedactedLocation(url), options));
  Status s = db->Connect();
  if (!s.ok()) return s;
  return db;
}

Status PgDb::Connect() {
  std::string timeout = std::to_string(std::max<int64_t>(2, options_.busy_timeout.count() / 1000));
  std::vector<const char*> keys = {"dbname", "connect_timeout", "application_name", "client_encoding"};
  std::vector<const char*> values = {url_.c_str(), timeout.c_str(), "frontdesk", "UTF8"};
  if (!options_.password.empty()) {
    keys.push_back("password");
    values.push_back(options_.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_.reset(PQconnectdbParams(keys.data(), values.data(), 1));
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    std::string why = conn_ ? PQerrorMessage(conn_.get()) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    conn_.reset();
    return Status::Unavailable("cannot connect to PostgreSQL at " + location() + ": " + why);
  }
  // NOTICEs ("already exists, skipping") are for people at psql.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
  ++generation_;
  // A lock wait past the busy timeout fails as kBusy, as SQLite's does.
  // Not interpolated from input: a number of our own.
  std::string set = "SET lock_timeout = " + std::to_string(options_.busy_timeout.count());
  if (options_.read_only) set += "; SET default_transaction_read_only = on";
  PgResultPtr r(PQexec(conn_.get(), set.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return ResultStatus(r.get(), "connect");
  return Status::Ok();
}

PGconn* PgDb::Live(Status* why) {
  if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK) return conn_.get();
  Status s = Connect();
  if (!s.ok()) {
    *why = s;
    return nullptr;
  }
  return conn_.get();
}

bool PgDb::InTransaction() const {
  if (!conn_) return false;
  PGTransactionStatusType t = PQtransactionStatus(conn_.get());
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

void PgDb::NoteChanges(const PGresult* result) {
  const char* n = PQcmdTuples(const_cast<PGresult*>(result));
  if (n != nullptr && *n != '\0') changes_ = std::atoi(n);
}

Status PgDb::ResultStatus(const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg(what);
  msg += ": ";
  const char* text = result ? PQresultErrorMessage(result) : nullptr;
  msg += (text != nullptr && *text != '\0') ? text : (conn_ ? PQerrorMessage(conn_.get()) : "no connection");
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  bool lost = !conn_ || PQstatus(conn_.get()) != CONNECTION_OK;
  if (lost || state == nullptr || StartsWith(state, "08") || StartsWith(state, "57P") ||
      StartsWith(state, "25006")) {
    return Status::Unavailable("PostgreSQL at " + location() + ": " + msg +
                               (StartsWith(state, "25006") ? " (the server is a read-only standby)" : ""));
  }
  if (StartsWith(state, "23")) return Status::Conflict(msg);
  if (StartsWith(state, "40") || StartsWith(state, "55P03") || StartsWith(state, "57014")) {
    return Status::Busy(msg + ": another writer held the lock; try again");
  }
  if (StartsWith(state, "53") || StartsWith(state, "58")) return Status::Io(msg);
  return Status::Internal(msg);
}

Status PgDb::Exec(std::string_view sql) {
  Status why;
  PGconn* conn = Live(&why);
  if (conn == nullptr) return why;
  std::string text(sql);
  PgResultPtr r(PQexec(conn, text.c_str()));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    NoteChanges(r.get());
    return Status::Ok();
  }
  std::string_view first = sql.substr(0, std::min(sql.find('\n'), size_t{60}));
  return ResultStatus(r.get(), first.empty() ? "exec" : first);
}

Result<Stmt> PgDb::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    int params = 0;
    std::string text = PgPlaceholders(sql, &params);
    std::string name = "fd" + std::to_string(++next_name_);
    it = cache_.emplace(std::string(sql), std::make_unique<PgStmt>(*this, std::move(name), std::move(text), params))
             .first;
  }
  return Stmt(it->second.get());
}

int64_t PgDb::LastInsertId() {
  if (!conn_) return 0;
  PgResultPtr r(PQexec(conn_.get(), "SELECT lastval()"));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1) return 0;
  return std::strtoll(PQgetvalue(r.get(), 0, 0), nullptr, 10);
}

Status PgDb::Commit() {
  Status why;
  PGconn* conn = Live(&why);
  if (conn == nullptr) return why;
  PgResultPtr r(PQexec(conn, "COMMIT"));
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return ResultStatus(r.get(), "commit");
  // COMMIT of a transaction a failed statement aborted answers "ROLLBACK".
  if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) {
    return Status::Internal("commit: the transaction had failed and was rolled back");
  }
  return Status::Ok();
}

Status PgDb::BeginWrite() { return Exec(kBeginWrite); }

Status PgDb::BeginRead() { return Exec("BEGIN ISOLATION LEVEL REPEATABLE READ"); }

}  // namespace frontdesk
