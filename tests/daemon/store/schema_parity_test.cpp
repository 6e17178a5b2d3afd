// The schema at the latest version is the same on both engines: the same
// tables, columns (with their kind and NOT NULL), primary keys, unique keys
// and named indexes. Needs a PostgreSQL server (FRONTDESK_TEST_POSTGRES);
// packaging/test.sh runs the unit tests beside one.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "daemon/store/schema.h"
#include "daemon/store/store.h"
#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct TableShape {
  std::map<std::string, std::string> columns;  // name -> "integer|text|blob" + " not null"
  std::string primary_key;                      // columns, comma-separated
  std::set<std::string> unique_keys;            // column lists of UNIQUE constraints
  std::set<std::string> indexes;                // "name unique? (columns)"; expressions as ?
};
using Shape = std::map<std::string, TableShape>;

// Tables that hold the same thing differently on each engine: full-text
// search (FTS5 and its shadow tables; a tsvector table), and where the
// schema version is kept (PRAGMA user_version; a table).
bool EngineOwn(const std::string& table) {
  return table.rfind("message_search", 0) == 0 || table.rfind("sqlite_", 0) == 0 || table == "frontdesk_schema";
}

std::string Kind(std::string type) {
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type.find("int") != std::string::npos) return "integer";
  if (type == "blob" || type == "bytea") return "blob";
  if (type == "text") return "text";
  return "other:" + type;
}

template <class Read>
void Each(Db& db, const std::string& sql, const std::string& arg, Read read) {
  Result<Stmt> st = db.Prepare(sql);
  REQUIRE(st.ok());
  if (!arg.empty()) st->Bind(1, arg);
  for (;;) {
    Result<bool> row = st->Step();
    REQUIRE(row.ok());
    if (!*row) return;
    read(*st);
  }
}

Shape SqliteShape(Db& db) {
  Shape shape;
  std::vector<std::string> tables;
  Each(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", "",
       [&](Stmt& r) { tables.push_back(r.Text(0)); });
  for (const std::string& t : tables) {
    if (EngineOwn(t)) continue;
    TableShape& s = shape[t];
    std::map<int64_t, std::string> pk;
    Each(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)", t, [&](Stmt& r) {
      // A rowid alias may be NULL on insert, but never holds one.
      bool not_null = r.Int(2) != 0 || r.Int(3) != 0;
      s.columns[r.Text(0)] = Kind(r.Text(1)) + (not_null ? " not null" : "");
      if (r.Int(3) > 0) pk[r.Int(3)] = r.Text(0);
    });
    for (const auto& [n, col] : pk) s.primary_key += (s.primary_key.empty() ? "" : ",") + col;
    std::vector<std::tuple<std::string, bool, std::string>> indexes;
    Each(db, "SELECT name, \"unique\", origin FROM pragma_index_list(?1)", t,
         [&](Stmt& r) { indexes.emplace_back(r.Text(0), r.Int(1) != 0, r.Text(2)); });
    for (const auto& [name, unique, origin] : indexes) {
      std::string cols;
      Each(db, "SELECT coalesce(name, '?') FROM pragma_index_info(?1) ORDER BY seqno", name,
           [&](Stmt& r) { cols += (cols.empty() ? "" : ",") + r.Text(0); });
      if (origin == "pk") continue;  // the primary key, compared above
      if (origin == "u") {
        s.unique_keys.insert(cols);
      } else {
        s.indexes.insert(name + (unique ? " unique (" : " (") + cols + ")");
      }
    }
  }
  return shape;
}

Shape PostgresShape(Db& db) {
  Shape shape;
  std::vector<std::string> tables;
  Each(db,
       "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
       "AND table_type = 'BASE TABLE' ORDER BY table_name",
       "", [&](Stmt& r) { tables.push_back(r.Text(0)); });
  for (const std::string& t : tables) {
    if (EngineOwn(t)) continue;
    TableShape& s = shape[t];
    Each(db,
         "SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns "
         "WHERE table_schema = 'public' AND table_name = ?1",
         t, [&](Stmt& r) { s.columns[r.Text(0)] = Kind(r.Text(1)) + (r.Int(2) != 0 ? " not null" : ""); });
    Each(db,
         "SELECT c.relname, ix.indisunique, ix.indisprimary, "
         "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ix.indexrelid AND k.contype = 'u'), "
         "(SELECT string_agg(coalesce(a.attname, '?'), ',' ORDER BY k.n) "
         " FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, n) "
         " LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum) "
         "FROM pg_index ix JOIN pg_class c ON c.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid "
         "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relname = ?1",
         t, [&](Stmt& r) {
           std::string cols = r.Text(4);
           if (r.Int(2) != 0) {
             s.primary_key = cols;
           } else if (r.Int(3) != 0) {
             s.unique_keys.insert(cols);
           } else {
             s.indexes.insert(r.Text(0) + (r.Int(1) != 0 ? " unique (" : " (") + cols + ")");
           }
         });
  }
  return shape;
}

TEST_CASE("the schema is the same on SQLite and PostgreSQL", "[store][schema][postgres]") {
  if (testing::TestPostgresServer() == nullptr) {
    WARN("FRONTDESK_TEST_POSTGRES is not set: the schemas were not compared");
    return;
  }
  testing::TempDir dir;
  testing::ScratchDatabase pg;
  StoreOptions o;
  o.migrate = true;
  Result<std::unique_ptr<Store>> lite = Store::Open(dir.File("fd.db"), o);
  REQUIRE(lite.ok());
  Result<std::unique_ptr<Store>> post = Store::Open(pg.location(), o);
  REQUIRE(post.ok());
  CHECK(*(*lite)->SchemaVersion() == LatestSchemaVersion());
  CHECK(*(*post)->SchemaVersion() == LatestSchemaVersion());

  Shape a = SqliteShape((*lite)->db());
  Shape b = PostgresShape((*post)->db());
  std::set<std::string> names;
  for (const auto& [t, s] : a) names.insert(t);
  for (const auto& [t, s] : b) names.insert(t);
  for (const std::string& t : names) {
    INFO("table " << t);
    REQUIRE(a.count(t) == 1);
    REQUIRE(b.count(t) == 1);
    CHECK(a[t].columns == b[t].columns);
    CHECK(a[t].primary_key == b[t].primary_key);
    CHECK(a[t].unique_keys == b[t].unique_keys);
    CHECK(a[t].indexes == b[t].indexes);
  }
  CHECK(a.size() > 20);
}

}  // namespace
}  // namespace frontdesk
