#include "daemon/store/spool_store.h"

#include <catch2/catch.hpp>

#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct Fixture {
  testing::ScratchDatabase db;
  std::unique_ptr<Store> store = testing::OpenMigratedStore(db);
  int64_t Spool(size_t bytes) {
    SpoolEntry e;
    e.raw = std::string(bytes, 'm');
    e.source = "mailgate";
    e.received_at = FromUnix(1795341600);
    Result<int64_t> id = SpoolStore(*store).Add(e, "");
    REQUIRE(id.ok());
    return *id;
  }
};

std::vector<int64_t> Ids(const std::vector<SpoolEntry>& entries) {
  std::vector<int64_t> ids;
  for (const SpoolEntry& e : entries) ids.push_back(e.id);
  return ids;
}

TEST_CASE("a round reads the oldest entries up to its count and its bytes, and at least one",
          "[store][spool]") {
  Fixture f;
  SpoolStore spool(*f.store);
  CHECK(spool.Oldest(10, 1000)->empty());
  int64_t a = f.Spool(400), b = f.Spool(400), c = f.Spool(5000), d = f.Spool(10);
  CHECK(Ids(*spool.Oldest(10, 1000)) == std::vector<int64_t>{a, b});
  CHECK(Ids(*spool.Oldest(1, 1000)) == std::vector<int64_t>{a});
  CHECK(Ids(*spool.Oldest(10, 1u << 20)) == std::vector<int64_t>{a, b, c, d});
  REQUIRE(*spool.Take(a));
  REQUIRE(*spool.Take(b));
  // One entry larger than the round is still read, alone.
  std::vector<SpoolEntry> big = *spool.Oldest(10, 1000);
  CHECK(Ids(big) == std::vector<int64_t>{c});
  CHECK(big[0].raw.size() == 5000);
}

}  // namespace
}  // namespace frontdesk
