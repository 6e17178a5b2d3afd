// test_db.h: the database a unit test runs on. By default an SQLite file in
// the test's scratch directory; when FRONTDESK_TEST_POSTGRES names a server
// (tests/postgres/with_postgres.sh sets it), a new empty PostgreSQL
// database on it, dropped again at the end of the test. The store's tests
// use it, so the same tests prove both engines.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "daemon/store/db.h"
#include "daemon/store/store.h"
#include "tests/test_util.h"

namespace frontdesk::testing {

inline const char* TestPostgresServer() {
  const char* url = std::getenv("FRONTDESK_TEST_POSTGRES");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

class ScratchDatabase {
 public:
  ScratchDatabase() {
    const char* server = TestPostgresServer();
    if (server == nullptr) {
      location_ = dir_.File("fd.db");
      return;
    }
    static std::atomic<int> counter{0};
    name_ = "fdtest_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    Admin(server, "DROP DATABASE IF EXISTS " + name_);
    Admin(server, "CREATE DATABASE " + name_);
    location_ = std::string(server) + name_;
  }
  ~ScratchDatabase() {
    if (name_.empty()) return;
    try {
      Admin(TestPostgresServer(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // A leftover database goes with the test cluster.
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // What Store::Open and Db::Open take.
  const std::string& location() const { return location_; }
  bool postgres() const { return !name_.empty(); }
  const TempDir& dir() const { return dir_; }

 private:
  static void Admin(const char* server, const std::string& sql) {
    Result<std::unique_ptr<Db>> db = Db::Open(std::string(server) + "postgres", DbOptions{});
    if (!db.ok()) throw std::runtime_error(db.status().ToString());
    Status s = (*db)->Exec(sql);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }

  TempDir dir_;
  std::string name_;
  std::string location_;
};

// A store on `db`, migrated to the current schema.
inline std::unique_ptr<Store> OpenMigratedStore(const ScratchDatabase& db) {
  StoreOptions o;
  o.migrate = true;
  Result<std::unique_ptr<Store>> opened = Store::Open(db.location(), o);
  if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
  return std::move(*opened);
}

}  // namespace frontdesk::testing
