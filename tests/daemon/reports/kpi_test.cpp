#include "daemon/reports/kpi.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "daemon/store/fact_codec.h"
#include "tests/test_db.h"

namespace frontdesk {
namespace {

constexpr int64_t kFirstHour = 491760;  // 2026-02-06 00:00 UTC, a Friday
constexpr int kHours = 24 * 20;

// The nearest rank, as the report defines it: the smallest value with at
// least p % of the values at or below it.
int64_t Rank(std::vector<int64_t> v, int p) {
  std::sort(v.begin(), v.end());
  size_t r = static_cast<size_t>((static_cast<int64_t>(v.size()) * p + 99) / 100);
  return v[std::max<size_t>(r, 1) - 1];
}

struct Expected {
  std::vector<int64_t> wall, business, resolved;
};

// Writes `per_hour` first responses and resolutions an hour into the KPI
// cache, as a fill would, with durations drawn at random; returns them.
Expected SeedCache(Store& store, int per_hour) {
  Expected e;
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> seconds(0, 14 * 86400);
  FactOwner owner{"support", "ann@example.test"};
  for (int64_t hour = kFirstHour; hour < kFirstHour + kHours; ++hour) {
    HourEncoder encoder(hour);
    for (int i = 0; i < per_hour; ++i) {
      const int64_t at = hour * 3600 + i % 3600;
      FirstResponseFact f{at, seconds(random), std::nullopt};
      if (i % 3 != 0) f.business_seconds = f.wall_seconds / 3;
      encoder.FirstResponse(f, owner);
      e.wall.push_back(f.wall_seconds);
      if (f.business_seconds) e.business.push_back(*f.business_seconds);
      ResolvedFact r{at, seconds(random), std::nullopt, 1, 0};
      encoder.Resolved(r, owner);
      e.resolved.push_back(r.wall_seconds);
    }
    Result<Stmt> insert = store.db().Prepare("INSERT INTO kpi_hours(hour, facts) VALUES (?1, ?2)");
    REQUIRE(insert.ok());
    insert->Bind(1, hour).BindBlob(2, encoder.Finish());
    REQUIRE(insert->Run().ok());
  }
  return e;
}

KpiQuery Query(const std::string& group_by) {
  KpiQuery q;
  q.timezone = "UTC";
  q.from = FromUnix(kFirstHour * 3600);
  q.to = FromUnix((kFirstHour + kHours) * 3600);
  q.group_by = group_by;
  return q;
}

void CheckDurations(const Durations& d, const std::vector<int64_t>& values) {
  REQUIRE(d.count == static_cast<int64_t>(values.size()));
  CHECK(d.median == Rank(values, 50));
  CHECK(d.p90 == Rank(values, 90));
}

TEST_CASE("a report's medians and 90th percentiles are the nearest ranks of its durations") {
  testing::ScratchDatabase db;
  StoreOptions o;
  o.migrate = true;
  Result<std::unique_ptr<Store>> store = Store::Open(db.location(), o);
  REQUIRE(store.ok());
  // 480 hours of 250 first responses and resolutions, from the cache,
  // grouped by week: the total and each group select their own ranks.
  Expected e = SeedCache(**store, 250);
  Result<KpiReport> report = RunKpiReport(**store, Query("week"), FromUnix((kFirstHour + kHours) * 3600));
  REQUIRE(report.ok());
  CheckDurations(report->total.first_response_wall, e.wall);
  CheckDurations(report->total.first_response_business, e.business);
  CheckDurations(report->total.resolution_wall, e.resolved);
  REQUIRE(report->groups.size() == 4);  // Friday the 6th to Wednesday the 25th: parts of four weeks
  int64_t counted = 0;
  for (const KpiGroup& g : report->groups) counted += g.figures.first_response_wall.count;
  CHECK(counted == static_cast<int64_t>(e.wall.size()));
  // The first week's group, from the values of its own hours.
  const int64_t first_week_end = ToUnix(report->groups[0].to);
  const size_t first_week = static_cast<size_t>((first_week_end - kFirstHour * 3600) / 3600) * 250;
  std::vector<int64_t> week(e.wall.begin(), e.wall.begin() + static_cast<std::ptrdiff_t>(first_week));
  CheckDurations(report->groups[0].figures.first_response_wall, week);
}

}  // namespace
}  // namespace frontdesk
