#include "daemon/sla/target_clock.h"

#include <catch2/catch.hpp>

#include "tests/test_util.h"

namespace frontdesk {
namespace {

using testing::At;

Calendar Office() {
  CalendarConfig c;
  c.name = "office";
  c.timezone = "Europe/Warsaw";
  for (int d = 0; d < 5; ++d) c.week[d] = {{9 * 60, 17 * 60}};
  return *Calendar::Build(c);
}

TEST_CASE("a clock paused across a weekend resumes where it stopped", "[sla]") {
  Calendar cal = Office();
  // Friday 2026-11-20 10:00 CET, an 8-hour target: due Monday 10:00.
  TargetClock c = StartClock(cal, "resolution", 0, {0, 8 * 3600, "8h"}, At("2026-11-20T09:00:00Z"), false);
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T09:00:00Z");
  // Paused at Friday 16:00 (6 business hours used), over the weekend...
  Pause(c, cal, At("2026-11-20T15:00:00Z"));
  CHECK_FALSE(c.due_at.has_value());
  CHECK(c.remaining_seconds == 2 * 3600);
  // ...resumed on Monday at 15:00 CET, after the old due time: 2 hours are left.
  Resume(c, cal, At("2026-11-23T14:00:00Z"));
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T16:00:00Z");  // Monday 17:00 CET
  CHECK(c.paused_seconds == (At("2026-11-23T14:00:00Z") - At("2026-11-20T15:00:00Z")).count());
  // Not breached the instant it resumed.
  CHECK_FALSE(CheckBreach(c, cal, At("2026-11-23T14:00:00Z")));
  CHECK_FALSE(CheckBreach(c, cal, At("2026-11-23T15:59:59Z")));
  CHECK(CheckBreach(c, cal, At("2026-11-24T09:00:00Z")));
  CHECK(FormatRfc3339(*c.breached_at) == "2026-11-23T16:00:00Z");
}

TEST_CASE("a met clock records the business time it took, and lateness", "[sla]") {
  Calendar cal = Office();
  TargetClock c = StartClock(cal, "first_response", 0, {0, 3600, "1h"}, At("2026-11-20T15:30:00Z"), false);
  // Friday 16:30 CET + 1h: 30 minutes on Friday, 30 on Monday.
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T08:30:00Z");
  Meet(c, cal, At("2026-11-23T08:15:00Z"));
  CHECK(*c.business_seconds == 45 * 60);
  CHECK_FALSE(c.breached_at.has_value());
  TargetClock late = StartClock(cal, "first_response", 0, {0, 3600, "1h"}, At("2026-11-20T15:30:00Z"), false);
  Meet(late, cal, At("2026-11-23T10:00:00Z"));
  CHECK(*late.business_seconds == 9000);  // 30 min Friday, 09:00-11:00 CET Monday
  CHECK(FormatRfc3339(*late.breached_at) == "2026-11-23T08:30:00Z");
}

TEST_CASE("reopening continues the resolution clock from where it was solved", "[sla]") {
  Calendar cal = Office();
  TargetClock c = StartClock(cal, "resolution", 0, {0, 4 * 3600, "4h"}, At("2026-11-23T08:00:00Z"), false);
  Meet(c, cal, At("2026-11-23T11:00:00Z"));  // solved after 3h
  CHECK(*c.business_seconds == 3 * 3600);
  Reopen(c, cal, At("2026-11-24T08:00:00Z"), false);  // reopened next morning
  CHECK_FALSE(c.finished());
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-24T09:00:00Z");  // the 1 hour left
  CHECK_FALSE(CheckBreach(c, cal, At("2026-11-24T08:00:00Z")));
}

TEST_CASE("a ticket created outside business hours starts counting at the opening", "[sla]") {
  Calendar cal = Office();
  TargetClock c = StartClock(cal, "first_response", 0, {0, 2 * 3600, "2h"}, At("2026-11-21T12:00:00Z"), false);
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T10:00:00Z");
  CHECK(Consumed(c, cal, At("2026-11-23T08:00:00Z")) == 0);
}

TEST_CASE("ladder levels fire at a share of the target or an offset from the due time", "[sla]") {
  Calendar cal = Office();
  TargetClock c = StartClock(cal, "first_response", 0, {0, 4 * 3600, "4h"}, At("2026-11-20T13:00:00Z"), false);
  // Friday 14:00 CET; due Monday 10:00 CET (3h Friday, 1h Monday).
  EscalationLevel warn;
  warn.at_percent = 75;  // 3h consumed: Friday 17:00
  EscalationLevel before;
  before.at_offset_seconds = -30 * 60;  // Monday 09:30
  EscalationLevel after;
  after.at_offset_seconds = 2 * 3600;  // two business hours after the breach: Monday 12:00
  CHECK(FormatRfc3339(*LevelTime(c, cal, warn)) == "2026-11-20T16:00:00Z");
  CHECK(FormatRfc3339(*LevelTime(c, cal, before)) == "2026-11-23T08:30:00Z");
  CHECK(FormatRfc3339(*LevelTime(c, cal, after)) == "2026-11-23T11:00:00Z");
  Pause(c, cal, At("2026-11-20T14:00:00Z"));
  CHECK_FALSE(LevelTime(c, cal, warn).has_value());
}

// Monday and Tuesday 09:00-17:00 in Warsaw, optionally with Monday's
// 11:00-13:00 closed.
Calendar MonTue(bool partial_holiday) {
  CalendarConfig c;
  c.name = "office";
  c.timezone = "Europe/Warsaw";
  c.week[0] = c.week[1] = {{9 * 60, 17 * 60}};
  if (partial_holiday) c.holidays.push_back({2026, 11, 23, {11 * 60, 13 * 60}});
  return *Calendar::Build(c);
}

TEST_CASE("a holiday added after a clock started moves its due time", "[sla]") {
  // Monday 10:00 CET + 4h: due 14:00 CET (13:00Z).
  TargetClock c = StartClock(MonTue(false), "first_response", 0, {0, 4 * 3600, "4h"}, At("2026-11-23T09:00:00Z"), false);
  REQUIRE(FormatRfc3339(*c.due_at) == "2026-11-23T13:00:00Z");
  Calendar now = MonTue(true);
  // 10:00-11:00, then 13:00-16:00 CET.
  CHECK(FormatRfc3339(*DueAt(c, now)) == "2026-11-23T15:00:00Z");
  CHECK(RefreshDue(c, now));
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T15:00:00Z");
  CHECK_FALSE(RefreshDue(c, now));  // nothing left to move
  CHECK(c.remaining_seconds == 4 * 3600);
  CHECK_FALSE(CheckBreach(c, now, At("2026-11-23T14:59:59Z")));
  CHECK(CheckBreach(c, now, At("2026-11-23T16:00:00Z")));
  CHECK(FormatRfc3339(*c.breached_at) == "2026-11-23T15:00:00Z");
  // A recorded breach is a fact: the old calendar back does not move it.
  CHECK_FALSE(RefreshDue(c, MonTue(false)));
  CHECK(FormatRfc3339(*c.breached_at) == "2026-11-23T15:00:00Z");
}

TEST_CASE("a breach is recorded when business time ran out, not at a stale due time", "[sla]") {
  TargetClock c = StartClock(MonTue(false), "first_response", 0, {0, 4 * 3600, "4h"}, At("2026-11-23T09:00:00Z"), false);
  Calendar now = MonTue(true);
  // The stored due time still says 13:00Z; only 2 business hours had passed then.
  CHECK_FALSE(CheckBreach(c, now, At("2026-11-23T13:30:00Z")));
  CHECK(CheckBreach(c, now, At("2026-11-23T15:30:00Z")));
  CHECK(FormatRfc3339(*c.breached_at) == "2026-11-23T15:00:00Z");
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T15:00:00Z");
  // Met late under the new calendar: the same instant.
  TargetClock late = StartClock(MonTue(false), "first_response", 0, {0, 4 * 3600, "4h"}, At("2026-11-23T09:00:00Z"), false);
  Meet(late, now, At("2026-11-23T15:30:00Z"));
  CHECK(FormatRfc3339(*late.breached_at) == "2026-11-23T15:00:00Z");
  CHECK(*late.business_seconds == 4 * 3600 + 1800);
}

TEST_CASE("a paused clock keeps its remaining time when the calendar changes", "[sla]") {
  TargetClock c = StartClock(MonTue(false), "first_response", 0, {0, 4 * 3600, "4h"}, At("2026-11-23T09:00:00Z"), false);
  Pause(c, MonTue(false), At("2026-11-23T09:30:00Z"));
  Calendar now = MonTue(true);
  CHECK_FALSE(DueAt(c, now).has_value());
  CHECK_FALSE(RefreshDue(c, now));
  CHECK_FALSE(c.due_at.has_value());
  CHECK(c.remaining_seconds == 3 * 3600 + 1800);
  // Resumed at 10:30 CET under the new calendar: 30 minutes, the holiday, 3 hours.
  Resume(c, now, At("2026-11-23T09:30:00Z"));
  CHECK(FormatRfc3339(*c.due_at) == "2026-11-23T15:00:00Z");
}

TEST_CASE("a working-days due time at an opening stays where it is while the calendar agrees", "[sla]") {
  Calendar cal = Office();
  // Friday 18:00 CET + 1d: Tuesday 09:00 CET, the same business instant as Monday 17:00.
  TargetClock c = StartClock(cal, "resolution", 0, {1, 0, "1d"}, At("2026-11-20T17:00:00Z"), false);
  REQUIRE(FormatRfc3339(*c.due_at) == "2026-11-24T08:00:00Z");
  CHECK(FormatRfc3339(*DueAt(c, cal)) == "2026-11-24T08:00:00Z");
  CHECK_FALSE(RefreshDue(c, cal));
  // Not breached at Monday 17:00, and breached at the due time it shows.
  CHECK_FALSE(CheckBreach(c, cal, At("2026-11-23T16:30:00Z")));
  CHECK(CheckBreach(c, cal, At("2026-11-24T08:00:00Z")));
  CHECK(FormatRfc3339(*c.breached_at) == "2026-11-24T08:00:00Z");
}

}  // namespace
}  // namespace frontdesk
