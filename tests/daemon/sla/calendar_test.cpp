#include "daemon/sla/calendar.h"

#include <catch2/catch.hpp>

#include "config/loader.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

using testing::At;

SlaDuration D(int days, int64_t seconds) {
  SlaDuration d;
  d.days = days;
  d.seconds = seconds;
  return d;
}

CalendarConfig Office() {
  CalendarConfig c;
  c.name = "office";
  c.timezone = "Europe/Warsaw";
  for (int d = 0; d < 5; ++d) c.week[d] = {{9 * 60, 12 * 60}, {13 * 60, 17 * 60}};  // lunch 12-13
  c.holidays.push_back({2026, 12, 25, {0, 1440}});
  c.holidays.push_back({2026, 12, 24, {12 * 60, 1440}});  // Christmas Eve: mornings only
  return c;
}

CalendarConfig Night(const char* zone) {
  CalendarConfig c;
  c.name = "night";
  c.timezone = zone;
  for (int d = 0; d < 7; ++d) c.week[d] = {{0, 6 * 60}};
  return c;
}

TEST_CASE("adding business time across nights, weekends, lunch and holidays", "[calendar]") {
  Calendar office = *Calendar::Build(Office());
  struct Case {
    const char* name;
    const char* from;
    SlaDuration add;
    const char* due;
  };
  const Case cases[] = {
      {"a weekend", "2026-11-20T15:00:00Z", D(0, 2 * 3600), "2026-11-23T09:00:00Z"},
      {"a lunch break", "2026-11-23T10:30:00Z", D(0, 3600), "2026-11-23T12:30:00Z"},
      {"a full and a partial holiday", "2026-12-23T15:00:00Z", D(0, 5 * 3600), "2026-12-28T09:00:00Z"},
      {"Friday at 16:59", "2026-11-20T15:59:00Z", D(0, 4 * 3600), "2026-11-23T12:59:00Z"},
      {"a DST weekend (spring)", "2026-03-27T15:00:00Z", D(0, 2 * 3600), "2026-03-30T08:00:00Z"},
      {"a DST weekend (autumn)", "2026-10-23T14:00:00Z", D(0, 2 * 3600), "2026-10-26T09:00:00Z"},
      {"created on a Saturday", "2026-11-21T10:00:00Z", D(0, 1800), "2026-11-23T08:30:00Z"},
      {"minutes", "2026-11-23T08:00:00Z", D(0, 15 * 60), "2026-11-23T08:15:00Z"},
      {"one working day from Friday 16:59", "2026-11-20T15:59:00Z", D(1, 0), "2026-11-23T15:59:00Z"},
      {"one working day from Friday evening", "2026-11-20T17:00:00Z", D(1, 0), "2026-11-24T08:00:00Z"},
      {"three working days over Christmas", "2026-12-23T09:00:00Z", D(3, 0), "2026-12-29T09:00:00Z"},
      {"a day and some hours", "2026-11-23T08:00:00Z", D(1, 3 * 3600), "2026-11-24T11:00:00Z"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Timestamp due = office.Add(At(c.from), c.add);
    CHECK(FormatRfc3339(due) == c.due);
    if (c.add.days == 0) CHECK(office.BusinessSeconds(At(c.from), due) == c.add.seconds);
  }
}

TEST_CASE("same_business_day is due at the close of the day, or of the next one", "[calendar][same_day]") {
  // Mon-Fri 09:00-12:00 and 13:00-17:00 Europe/Warsaw; Christmas Eve closes
  // at 12:00, Christmas Day is closed.
  Calendar office = *Calendar::Build(Office());
  SlaDuration same_day;
  same_day.text = "same_business_day";
  same_day.same_business_day = true;
  SlaDuration cutoff = same_day;
  cutoff.cutoff_minute = 15 * 60;
  struct Case {
    const char* name;
    const char* from;
    const SlaDuration& target;
    const char* due;
  };
  const Case cases[] = {
      {"a morning", "2026-11-23T08:00:00Z", same_day, "2026-11-23T16:00:00Z"},
      {"before the opening", "2026-11-23T06:00:00Z", same_day, "2026-11-23T16:00:00Z"},
      {"in the lunch break", "2026-11-23T11:30:00Z", same_day, "2026-11-23T16:00:00Z"},
      {"a minute before the close", "2026-11-23T15:59:00Z", same_day, "2026-11-23T16:00:00Z"},
      {"at the close", "2026-11-23T16:00:00Z", same_day, "2026-11-24T16:00:00Z"},
      {"an evening", "2026-11-23T19:00:00Z", same_day, "2026-11-24T16:00:00Z"},
      {"just before the cutoff", "2026-11-23T13:59:00Z", cutoff, "2026-11-23T16:00:00Z"},
      {"at the cutoff", "2026-11-23T14:00:00Z", cutoff, "2026-11-24T16:00:00Z"},
      {"after a Friday's cutoff, over the weekend", "2026-11-20T14:30:00Z", cutoff, "2026-11-23T16:00:00Z"},
      {"a Saturday", "2026-11-21T10:00:00Z", same_day, "2026-11-23T16:00:00Z"},
      {"a Sunday night", "2026-11-22T22:30:00Z", same_day, "2026-11-23T16:00:00Z"},
      {"Christmas Eve morning, a short day", "2026-12-24T08:00:00Z", same_day, "2026-12-24T11:00:00Z"},
      {"Christmas Eve after its close", "2026-12-24T11:30:00Z", same_day, "2026-12-28T16:00:00Z"},
      {"the morning before a holiday, after the cutoff", "2026-12-23T14:30:00Z", cutoff, "2026-12-24T11:00:00Z"},
      {"Christmas Day", "2026-12-25T09:00:00Z", same_day, "2026-12-28T16:00:00Z"},
      {"the Friday before summer time", "2026-03-27T12:00:00Z", same_day, "2026-03-27T16:00:00Z"},
      {"after the close, into summer time", "2026-03-27T17:00:00Z", same_day, "2026-03-30T15:00:00Z"},
      {"after the cutoff, into winter time", "2026-10-23T13:30:00Z", cutoff, "2026-10-26T16:00:00Z"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(FormatRfc3339(office.Add(At(c.from), c.target)) == c.due);
  }
  // Always open, in UTC: the day ends at midnight.
  Calendar always = *Calendar::Build(CalendarConfig{"24x7", "UTC", {}, {}, true});
  CHECK(FormatRfc3339(always.Add(At("2026-11-23T08:00:00Z"), same_day)) == "2026-11-24T00:00:00Z");
  CHECK(FormatRfc3339(always.Add(At("2026-11-23T16:00:00Z"), cutoff)) == "2026-11-25T00:00:00Z");
}

// Warsaw, no holidays, closed every day; the cases fill in the week.
CalendarConfig all_day_config() {
  CalendarConfig c;
  c.name = "desk";
  c.timezone = "Europe/Warsaw";
  return c;
}

// A night desk, Monday 22:00 to Saturday 06:00 in 8-hour shifts, each
// written as two windows; with `every_night`, all seven nights.
CalendarConfig NightDesk(bool every_night) {
  CalendarConfig c;
  c.name = "night desk";
  c.timezone = "Europe/Warsaw";
  for (int d = 0; d < 7; ++d) {
    if (every_night || (d >= 1 && d <= 5)) c.week[d].push_back({0, 6 * 60});
    if (every_night || d <= 4) c.week[d].push_back({22 * 60, 1440});
  }
  return c;
}

TEST_CASE("a night shift is one business day, the day it starts", "[calendar][same_day]") {
  Calendar desk = *Calendar::Build(NightDesk(false));
  SlaDuration same_day;
  same_day.text = "same_business_day";
  same_day.same_business_day = true;
  SlaDuration cutoff = same_day;
  cutoff.cutoff_minute = 23 * 60;
  struct Case {
    const char* name;
    const char* from;
    SlaDuration target;
    const char* due;
  };
  // Monday 2026-11-23, CET (UTC+1).
  const Case cases[] = {
      {"Mon 23:00 + 4h, past midnight", "2026-11-23T22:00:00Z", D(0, 4 * 3600), "2026-11-24T02:00:00Z"},
      {"Tue 05:00 + 2h, into the next shift", "2026-11-24T04:00:00Z", D(0, 2 * 3600), "2026-11-24T22:00:00Z"},
      {"Mon 23:00 + 1d: the same point of the next shift", "2026-11-23T22:00:00Z", D(1, 0), "2026-11-24T22:00:00Z"},
      {"Tue 03:00 + 1d: Wednesday 03:00", "2026-11-24T02:00:00Z", D(1, 0), "2026-11-25T02:00:00Z"},
      {"Fri 23:00 + 1d: over the weekend", "2026-11-27T22:00:00Z", D(1, 0), "2026-11-30T22:00:00Z"},
      {"Sat 07:00 + 1d: from Monday's opening", "2026-11-28T06:00:00Z", D(1, 0), "2026-12-01T21:00:00Z"},
      {"Mon 23:00, same day: the shift's end", "2026-11-23T22:00:00Z", same_day, "2026-11-24T05:00:00Z"},
      {"Tue 02:00, same day: still Monday's shift", "2026-11-24T01:00:00Z", same_day, "2026-11-24T05:00:00Z"},
      {"Tue 02:00 is after a 23:00 cutoff", "2026-11-24T01:00:00Z", cutoff, "2026-11-25T05:00:00Z"},
      {"Mon 22:30 is before it", "2026-11-23T21:30:00Z", cutoff, "2026-11-24T05:00:00Z"},
      {"Tue 07:00, same day: Tuesday's shift", "2026-11-24T06:00:00Z", same_day, "2026-11-25T05:00:00Z"},
      {"Sat 07:00, same day: Monday's shift", "2026-11-28T06:00:00Z", same_day, "2026-12-01T05:00:00Z"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(FormatRfc3339(desk.Add(At(c.from), c.target)) == c.due);
  }
  CHECK(desk.HasWorkLeftToday(At("2026-11-24T01:00:00Z")));
  CHECK(desk.HasWorkLeftToday(At("2026-11-24T06:00:00Z")));
  CHECK_FALSE(desk.HasWorkLeftToday(At("2026-11-28T06:00:00Z")));

  // Every night, across the change to summer time: Saturday's shift holds
  // 7 hours (02:00 becomes 03:00), and Saturday 23:00 + 1d is Sunday 23:00.
  Calendar nightly = *Calendar::Build(NightDesk(true));
  CHECK(FormatRfc3339(nightly.Add(At("2026-03-28T22:00:00Z"), D(1, 0))) == "2026-03-29T21:00:00Z");
  CHECK(FormatRfc3339(nightly.Add(At("2026-03-28T22:00:00Z"), same_day)) == "2026-03-29T04:00:00Z");

  // Around the clock on weekdays from Sunday 22:00 to Friday 22:00 (London):
  // each weekday is a business day of its own, Friday's too.
  CalendarConfig five = all_day_config();
  five.timezone = "Europe/London";
  for (int d = 0; d < 4; ++d) five.week[d] = {{0, 1440}};
  five.week[6] = {{22 * 60, 1440}};
  five.week[4] = {{0, 22 * 60}};
  Calendar desk24 = *Calendar::Build(five);
  CHECK(FormatRfc3339(desk24.Add(At("2026-11-26T09:00:00Z"), D(1, 0))) == "2026-11-27T09:00:00Z");
  CHECK(FormatRfc3339(desk24.Add(At("2026-11-23T09:00:00Z"), D(4, 0))) == "2026-11-27T09:00:00Z");
  CHECK(FormatRfc3339(desk24.Add(At("2026-11-27T10:00:00Z"), same_day)) == "2026-11-27T22:00:00Z");
  // Every day open but for a break from 03:00 to 04:00: the early hours are
  // that day's, not the day before's.
  CalendarConfig breaks = all_day_config();
  for (auto& day : breaks.week) day = {{0, 3 * 60}, {4 * 60, 1440}};
  Calendar maintained = *Calendar::Build(breaks);
  CHECK(FormatRfc3339(maintained.Add(At("2026-11-24T01:30:00Z"), same_day)) == "2026-11-24T23:00:00Z");

  // Days open around the clock stay days of their own.
  CalendarConfig all_day = Office();
  all_day.holidays.clear();
  for (int d = 0; d < 5; ++d) all_day.week[d] = {{0, 1440}};
  Calendar always_on_weekdays = *Calendar::Build(all_day);
  CHECK(FormatRfc3339(always_on_weekdays.Add(At("2026-11-23T09:00:00Z"), D(1, 0))) == "2026-11-24T09:00:00Z");
  CHECK(FormatRfc3339(always_on_weekdays.Add(At("2026-11-27T09:00:00Z"), D(1, 0))) == "2026-11-30T09:00:00Z");
  CHECK(FormatRfc3339(always_on_weekdays.Add(At("2026-11-23T09:00:00Z"), same_day)) == "2026-11-23T23:00:00Z");
}

TEST_CASE("business seconds between two instants", "[calendar]") {
  Calendar office = *Calendar::Build(Office());
  CHECK(office.BusinessSeconds(At("2026-11-20T15:00:00Z"), At("2026-11-23T09:00:00Z")) == 2 * 3600);
  CHECK(office.BusinessSeconds(At("2026-11-21T00:00:00Z"), At("2026-11-22T23:59:59Z")) == 0);
  CHECK(office.BusinessSeconds(At("2026-11-23T00:00:00Z"), At("2026-11-24T00:00:00Z")) == 7 * 3600);
  CHECK(office.BusinessSeconds(At("2026-12-24T00:00:00Z"), At("2026-12-26T00:00:00Z")) == 3 * 3600);
  CHECK(office.BusinessSeconds(At("2026-11-24T00:00:00Z"), At("2026-11-23T00:00:00Z")) == 0);
  CHECK(office.IsOpen(At("2026-11-23T08:00:00Z")));
  CHECK_FALSE(office.IsOpen(At("2026-11-23T11:30:00Z")));  // lunch
  CHECK_FALSE(office.IsOpen(At("2026-12-25T10:00:00Z")));  // Christmas
  CHECK(office.FormatLocal(At("2026-03-30T08:00:00Z")) == "Mon 2026-03-30 10:00 CEST");
}

TEST_CASE("windows across DST changes count the hours that really pass", "[calendar][dst]") {
  struct Case {
    const char* zone;
    const char* day_from;
    const char* day_to;
    int64_t hours;
  };
  const Case cases[] = {
      {"Europe/Warsaw", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z", 5},     // spring: 02:00 -> 03:00
      {"Europe/Warsaw", "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z", 7},     // autumn: 03:00 -> 02:00
      {"America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T12:00:00Z", 5},  // spring
      {"America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T12:00:00Z", 7},  // autumn
      {"Europe/Warsaw", "2026-11-21T12:00:00Z", "2026-11-22T12:00:00Z", 6},     // an ordinary night
  };
  for (const Case& c : cases) {
    INFO(c.zone << " " << c.day_from);
    Calendar night = *Calendar::Build(Night(c.zone));
    CHECK(night.BusinessSeconds(At(c.day_from), At(c.day_to)) == c.hours * 3600);
  }
  // Window edges inside the gap and inside the repeated hour.
  CalendarConfig edge;
  edge.name = "edge";
  edge.timezone = "America/New_York";
  edge.week[6] = {{2 * 60 + 30, 4 * 60}};  // Sunday 02:30-04:00
  Calendar e = *Calendar::Build(edge);
  // 2026-03-08: 02:30 does not exist; the window starts at 03:00 EDT (07:00Z).
  CHECK(e.OpenIntervals(At("2026-03-08T00:00:00Z"), At("2026-03-09T00:00:00Z")) ==
        std::vector<Interval>{{At("2026-03-08T07:00:00Z"), At("2026-03-08T08:00:00Z")}});
  edge.week[6] = {{60 + 30, 3 * 60}};  // Sunday 01:30-03:00
  Calendar f = *Calendar::Build(edge);
  // 2026-11-01: 01:30 happens twice; the window starts at the first (EDT).
  CHECK(f.BusinessSeconds(At("2026-11-01T00:00:00Z"), At("2026-11-02T00:00:00Z")) == 9000);
  // Adding across the spring gap lands on real time.
  Calendar warsaw = *Calendar::Build(Night("Europe/Warsaw"));
  CHECK(FormatRfc3339(warsaw.AddBusinessSeconds(At("2026-03-28T23:00:00Z"), 4 * 3600)) == "2026-03-29T03:00:00Z");
}

TEST_CASE("24x7 is plain time", "[calendar]") {
  CalendarConfig c;
  c.name = "24x7";
  c.always_open = true;
  Calendar always = *Calendar::Build(c);
  CHECK(FormatRfc3339(always.Add(At("2026-11-21T10:00:00Z"), D(2, 3600))) == "2026-11-23T11:00:00Z");
  CHECK(always.BusinessSeconds(At("2026-11-21T10:00:00Z"), At("2026-11-21T11:00:00Z")) == 3600);
}

TEST_CASE("a time off the whole minute is shown with its seconds", "[calendar]") {
  Calendar office = *Calendar::Build(Office());
  CHECK(office.FormatLocal(At("2026-11-23T17:54:08Z")) == "Mon 2026-11-23 18:54:08 CET");
  CHECK(office.FormatLocal(At("2026-11-23T17:54:00Z")) == "Mon 2026-11-23 18:54 CET");
  CalendarConfig c;
  c.name = "24x7";
  c.always_open = true;
  Calendar always = *Calendar::Build(c);
  CHECK(always.FormatLocal(At("2026-11-23T17:54:08Z")) == "2026-11-23 17:54:08 UTC");
}

TEST_CASE("the working time holidays close is told apart from nights", "[calendar]") {
  Calendar office = *Calendar::Build(Office());
  // Christmas Eve afternoon (13:00-17:00 CET) and Christmas Day (7 hours).
  CHECK(office.HolidaySeconds(At("2026-12-24T11:00:00Z"), At("2026-12-28T00:00:00Z")) == 11 * 3600);
  CHECK(office.HolidaySeconds(At("2026-11-20T16:00:00Z"), At("2026-11-23T08:00:00Z")) == 0);  // a weekend
}

// Windows are read by the config loader; these go through its public
// entry point, so the file, line and column are the ones a user sees.
namespace loading {

const char* kQueue = "[[queue]]\nname = \"support\"\naddresses = [\"support@example.com\"]\n";

std::string LoadErrors(const std::string& calendar) {
  Result<Config> c = LoadConfigText(std::string(kQueue) + calendar, "fd.toml");
  REQUIRE_FALSE(c.ok());
  return c.status().message();
}

TEST_CASE("a window that crosses midnight is refused with the two windows that mean the same",
          "[calendar][config]") {
  struct Case {
    const char* name;
    const char* calendar;
    const char* error;
  };
  const Case cases[] = {
      {"a night shift", "[calendar.night]\ntimezone = \"UTC\"\nmon = [\"22:00-06:00\"]\n",
       "fd.toml:6:8: calendar.night.mon[0]: the window \"22:00-06:00\" crosses midnight; a window ends on the day it "
       "starts, so write it as two: mon = [\"22:00-24:00\"] and tue = [\"00:00-06:00\"]"},
      {"Sunday into Monday", "[calendar.night]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\nsun = [\"23:30-01:15\"]\n",
       "fd.toml:7:8: calendar.night.sun[0]: the window \"23:30-01:15\" crosses midnight; a window ends on the day it "
       "starts, so write it as two: sun = [\"23:30-24:00\"] and mon = [\"00:00-01:15\"]"},
      {"ending at 00:00", "[calendar.night]\ntimezone = \"UTC\"\nfri = [\"18:00-00:00\"]\n",
       "fd.toml:6:8: calendar.night.fri[0]: the window \"18:00-00:00\" crosses midnight; a window that ends at "
       "midnight ends at \"24:00\": write fri = [\"18:00-24:00\"]"},
      {"a holiday night",
       "[calendar.night]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\nholidays = [\"2026-12-31 20:00-02:00\"]\n",
       "fd.toml:7:13: calendar.night.holidays[0]: the holiday \"2026-12-31 20:00-02:00\" crosses midnight; write it as "
       "two holidays, \"2026-12-31 20:00-24:00\" and \"2027-01-01 00:00-02:00\""},
      {"an empty window", "[calendar.night]\ntimezone = \"UTC\"\nmon = [\"09:00-09:00\"]\n",
       "fd.toml:6:8: calendar.night.mon[0]: the window \"09:00-09:00\" must end after it starts"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(LoadErrors(c.calendar) == c.error);
  }
}

TEST_CASE("a night shift written as two windows counts the whole night", "[calendar][config]") {
  Result<Config> c = LoadConfigText(std::string(kQueue) +
                                        "[calendar.night]\ntimezone = \"Europe/Warsaw\"\n"
                                        "mon = [\"22:00-24:00\"]\ntue = [\"00:00-06:00\"]\n",
                                    "fd.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  const CalendarConfig* night = nullptr;
  for (const CalendarConfig& cal : c->calendars) night = cal.name == "night" ? &cal : night;
  REQUIRE(night != nullptr);
  Calendar cal = *Calendar::Build(*night);
  // Monday 22:00 CET to Tuesday 06:00 CET: one unbroken 8-hour shift.
  CHECK(cal.BusinessSeconds(At("2026-11-23T12:00:00Z"), At("2026-11-24T12:00:00Z")) == 8 * 3600);
  CHECK(FormatRfc3339(cal.AddBusinessSeconds(At("2026-11-23T21:00:00Z"), 3 * 3600)) == "2026-11-24T00:00:00Z");
  CHECK(cal.OpenIntervals(At("2026-11-23T12:00:00Z"), At("2026-11-24T12:00:00Z")).size() == 2);
}

}  // namespace loading

}  // namespace
}  // namespace frontdesk
