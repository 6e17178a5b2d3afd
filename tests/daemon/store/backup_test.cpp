#include "daemon/store/backup.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "daemon/store/schema.h"
#include "daemon/store/store.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

using testing::At;

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    store = std::move(*Store::Open(dir.File("fd.db"), o));
    REQUIRE(store->db().Exec("INSERT INTO secrets(name, value, created_at) VALUES ('x', 'y', 1)").ok());
  }
};

// The database and its copies hold the signing secrets: others may not read
// them, whatever umask the command ran under.
TEST_CASE("databases and backups are created 0640 whatever the umask", "[store][backup]") {
  mode_t old = umask(022);
  {
    Fixture f;
    Result<BackupInfo> b = WriteBackup(f.store->db(), f.dir.File("b"), At("2026-11-22T03:15:00Z"));
    REQUIRE(b.ok());
    struct stat st;
    REQUIRE(stat(b->path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    REQUIRE(stat(f.dir.File("fd.db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    REQUIRE(stat(f.dir.File("fd.db-wal").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
  }
  umask(old);
}

TEST_CASE("a backup is one checked file; two in a second do not collide", "[store][backup]") {
  Fixture f;
  Result<BackupInfo> a = WriteBackup(f.store->db(), f.dir.File("b"), At("2026-11-22T03:15:00Z"));
  REQUIRE(a.ok());
  CHECK(a->path == f.dir.File("b/frontdesk-20261122T031500Z.db"));
  CHECK(a->schema_version == LatestSchemaVersion());
  CHECK(a->bytes > 0);
  CHECK(access((a->path + "-wal").c_str(), F_OK) != 0);
  Result<BackupInfo> b = WriteBackup(f.store->db(), f.dir.File("b"), At("2026-11-22T03:15:00Z"), "pre-v9");
  Result<BackupInfo> c = WriteBackup(f.store->db(), f.dir.File("b"), At("2026-11-22T03:15:00Z"));
  REQUIRE((b.ok() && c.ok()));
  CHECK(b->path == f.dir.File("b/frontdesk-20261122T031500Z-pre-v9.db"));
  CHECK(c->path == f.dir.File("b/frontdesk-20261122T031500Z-2.db"));
  CHECK(*VerifyBackup(c->path) == LatestSchemaVersion());
  // Oldest first by when each was written, whatever the names sort as.
  CHECK(*ListBackups(f.dir.File("b")) == std::vector<std::string>{a->path, b->path, c->path});
  Result<std::vector<std::string>> removed = PruneBackups(f.dir.File("b"), 1);
  REQUIRE(removed.ok());
  CHECK(*removed == std::vector<std::string>{a->path, b->path});
  CHECK(*ListBackups(f.dir.File("b")) == std::vector<std::string>{c->path});
  CHECK(ListBackups(f.dir.File("none"))->empty());
}

TEST_CASE("a damaged or foreign file does not verify", "[store][backup]") {
  testing::TempDir dir;
  CHECK(VerifyBackup(dir.File("missing.db")).status().code() == Status::Code::kNotFound);
  std::string junk = dir.Write("junk.db", std::string("SQLite format 3\0", 16) + std::string(4096, 'x'));
  CHECK_FALSE(VerifyBackup(junk).ok());
  std::string text = dir.Write("text.db", "hello");
  CHECK_FALSE(VerifyBackup(text).ok());
  {
    Result<std::unique_ptr<Db>> empty = Db::Open(dir.File("empty.db"), DbOptions{});
    REQUIRE(empty.ok());
  }
  CHECK(VerifyBackup(dir.File("empty.db")).status().message() ==
        dir.File("empty.db") + " is not a Frontdesk database (schema version 0)");
}

TEST_CASE("a restore puts the copy's rows back", "[store][backup]") {
  Fixture f;
  Result<BackupInfo> b = WriteBackup(f.store->db(), f.dir.File("b"), At("2026-11-22T03:15:00Z"));
  REQUIRE(b.ok());
  REQUIRE(f.store->db().Exec("DELETE FROM secrets").ok());
  f.store.reset();
  REQUIRE(RestoreBackup(b->path, f.dir.File("fd.db")).ok());
  StoreOptions o;
  std::unique_ptr<Store> again = std::move(*Store::Open(f.dir.File("fd.db"), o));
  Result<Stmt> st = again->db().Prepare("SELECT count(*) FROM secrets");
  REQUIRE(*st->Step());
  CHECK(st->Int(0) == 1);
}

TEST_CASE("the migration hook runs only for a database with data that is behind", "[store][backup]") {
  testing::TempDir dir;
  int calls = 0;
  StoreOptions o;
  o.migrate = true;
  o.before_migrate = [&calls](Db&, int) {
    ++calls;
    return Status::Ok();
  };
  REQUIRE(Store::Open(dir.File("new.db"), o).ok());  // a new file: nothing to keep
  CHECK(calls == 0);
  {
    std::unique_ptr<Store> s = std::move(*Store::Open(dir.File("new.db"), o));
    REQUIRE(s->db().Exec("PRAGMA user_version = 5").ok());
  }
  o.before_migrate = [&calls](Db&, int from) {
    ++calls;
    CHECK(from == 5);
    return Status::Internal("disk full");
  };
  Result<std::unique_ptr<Store>> refused = Store::Open(dir.File("new.db"), o);
  CHECK(refused.status().message() == "disk full");
  CHECK(calls == 1);
}

}  // namespace
}  // namespace frontdesk
