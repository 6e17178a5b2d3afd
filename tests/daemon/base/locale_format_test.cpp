#include "daemon/base/locale_format.h"

#include <date/tz.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace frontdesk {
namespace {

Timestamp At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

const std::string kWarsaw = "Europe/Warsaw";

struct Expected {
  const char* language;
  const char* text;
};

// What ICU 72's data gives, written down in full so that a change of ICU
// data shows up here first. Russian and Bulgarian keep "2026 г." together
// with U+202F NARROW NO-BREAK SPACE, as CLDR writes it.
TEST_CASE("FormatDateTime in every shipped language, winter", "[locale]") {
  Timestamp t = At("2026-11-30T13:00:00Z");  // Monday 14:00 CET
  for (const Expected& e : std::vector<Expected>{
           {"en", "Monday 30 November 2026, 14:00 CET"},
           {"pl", "poniedziałek, 30 listopada 2026, 14:00 CET"},
           {"ru", "понедельник, 30 ноября 2026\u202Fг., 14:00 CET"},
           {"bg", "понеделник, 30 ноември 2026\u202Fг., 14:00 ч. CET"},
           {"it", "lunedì 30 novembre 2026, 14:00 CET"},
           {"de", "Montag, 30. November 2026, 14:00 CET"},
       }) {
    INFO(e.language);
    CHECK(FormatDateTime(t, kWarsaw, e.language) == e.text);
  }
}

TEST_CASE("FormatDateTime in every shipped language, summer", "[locale]") {
  Timestamp t = At("2026-07-15T12:00:00Z");  // Wednesday 14:00 CEST
  for (const Expected& e : std::vector<Expected>{
           {"en", "Wednesday 15 July 2026, 14:00 CEST"},
           {"pl", "środa, 15 lipca 2026, 14:00 CEST"},
           {"ru", "среда, 15 июля 2026\u202Fг., 14:00 CEST"},
           {"bg", "сряда, 15 юли 2026\u202Fг., 14:00 ч. CEST"},
           {"it", "mercoledì 15 luglio 2026, 14:00 CEST"},
           {"de", "Mittwoch, 15. Juli 2026, 14:00 CEST"},
       }) {
    INFO(e.language);
    CHECK(FormatDateTime(t, kWarsaw, e.language) == e.text);
  }
}

TEST_CASE("FormatDate names the weekday and the day in the right case", "[locale]") {
  Timestamp t = At("2026-12-01T08:05:00Z");  // Tuesday 09:05 CET
  for (const Expected& e : std::vector<Expected>{
           {"en", "Tuesday 01 December 2026"},
           {"pl", "wtorek, 1 grudnia 2026"},
           {"ru", "вторник, 1 декабря 2026\u202Fг."},
           {"bg", "вторник, 1 декември 2026\u202Fг."},
           {"it", "martedì 1 dicembre 2026"},
           {"de", "Dienstag, 1. Dezember 2026"},
       }) {
    INFO(e.language);
    CHECK(FormatDate(t, kWarsaw, e.language) == e.text);
  }
}

TEST_CASE("FormatTime writes the locale's 24-hour time without a zone", "[locale]") {
  Timestamp afternoon = At("2026-11-30T13:00:00Z");
  Timestamp morning = At("2026-12-01T08:05:59Z");
  for (const char* language : {"en", "pl", "ru", "it", "de"}) {
    INFO(language);
    CHECK(FormatTime(afternoon, kWarsaw, language) == "14:00");
    CHECK(FormatTime(morning, kWarsaw, language) == "09:05");
  }
  CHECK(FormatTime(afternoon, kWarsaw, "bg") == "14:00 ч.");
  CHECK(FormatTime(morning, kWarsaw, "bg") == "9:05 ч.");
}

// The acknowledgement mail, the survey page and their tests print English
// dates with this exact format; the English branch must never drift from it.
TEST_CASE("English FormatDateTime stays the text Frontdesk always sent", "[locale]") {
  for (const char* zone : {"Europe/Warsaw", "America/New_York", "Asia/Kolkata", "UTC"}) {
    for (Timestamp t = At("2026-01-01T00:00:00Z"); t < At("2027-01-01T00:00:00Z");
         t += std::chrono::hours(77)) {
      auto zoned =
          date::make_zoned(date::locate_zone(zone), std::chrono::floor<std::chrono::minutes>(t));
      INFO(zone << " " << FormatRfc3339(t));
      CHECK(FormatDateTime(t, zone, "en") == date::format("%A %d %B %Y, %H:%M %Z", zoned));
    }
  }
  CHECK(FormatDateTime(At("2026-11-23T11:00:00Z"), kWarsaw, "en") ==
        "Monday 23 November 2026, 12:00 CET");
  CHECK(FormatDateTime(At("2026-11-23T11:00:59Z"), kWarsaw, "en-GB") ==
        "Monday 23 November 2026, 12:00 CET");
}

TEST_CASE("FormatDateTime falls back to UTC and to English", "[locale]") {
  Timestamp t = At("2026-11-30T13:00:00Z");
  CHECK(FormatDateTime(t, "Mars/Olympus_Mons", "en") == "Monday 30 November 2026, 13:00 UTC");
  CHECK(FormatDateTime(t, "", "de") == "Montag, 30. November 2026, 13:00 UTC");
  CHECK(FormatDateTime(t, "../../etc/passwd", "pl") == "poniedziałek, 30 listopada 2026, 13:00 UTC");
  CHECK(FormatDateTime(t, "America/New_York", "en") == "Monday 30 November 2026, 08:00 EST");
  for (const char* language : {"fr", "", "pl_PL", "xx-YY", "*", "EN"}) {
    INFO(language);
    CHECK(FormatDateTime(t, kWarsaw, language) == "Monday 30 November 2026, 14:00 CET");
  }
  CHECK(FormatDateTime(t, kWarsaw, "PL-pl") == "poniedziałek, 30 listopada 2026, 14:00 CET");
  CHECK(FormatDateTime(t, kWarsaw, "de-AT") == "Montag, 30. November 2026, 14:00 CET");
}

TEST_CASE("FormatDateTime across the DST changes in Warsaw", "[locale]") {
  // Spring: 02:00 CET is followed by 03:00 CEST.
  CHECK(FormatDateTime(At("2026-03-29T00:59:00Z"), kWarsaw, "en") ==
        "Sunday 29 March 2026, 01:59 CET");
  CHECK(FormatDateTime(At("2026-03-29T01:00:00Z"), kWarsaw, "en") ==
        "Sunday 29 March 2026, 03:00 CEST");
  CHECK(FormatDateTime(At("2026-03-29T00:59:00Z"), kWarsaw, "de") ==
        "Sonntag, 29. März 2026, 01:59 CET");
  CHECK(FormatDateTime(At("2026-03-29T01:00:00Z"), kWarsaw, "de") ==
        "Sonntag, 29. März 2026, 03:00 CEST");
  // Autumn: 02:30 happens twice; the abbreviation tells the two apart.
  CHECK(FormatDateTime(At("2026-10-25T00:30:00Z"), kWarsaw, "pl") ==
        "niedziela, 25 października 2026, 02:30 CEST");
  CHECK(FormatDateTime(At("2026-10-25T01:30:00Z"), kWarsaw, "pl") ==
        "niedziela, 25 października 2026, 02:30 CET");
  CHECK(FormatDateTime(At("2026-10-25T01:30:00Z"), kWarsaw, "ru") ==
        "воскресенье, 25 октября 2026\u202Fг., 02:30 CET");
}

TEST_CASE("LocalDayDifference counts local calendar days", "[locale]") {
  // 23:30 and 00:30 in Warsaw: an hour apart, but the next day.
  CHECK(LocalDayDifference(At("2026-11-30T22:30:00Z"), At("2026-11-30T23:30:00Z"), kWarsaw) == 1);
  // The same instants are one day in UTC.
  CHECK(LocalDayDifference(At("2026-11-30T22:30:00Z"), At("2026-11-30T23:30:00Z"), "UTC") == 0);
  // 00:10 and 23:50 local: the same day.
  CHECK(LocalDayDifference(At("2026-11-29T23:10:00Z"), At("2026-11-30T22:50:00Z"), kWarsaw) == 0);
  CHECK(LocalDayDifference(At("2026-11-30T13:00:00Z"), At("2026-12-03T08:00:00Z"), kWarsaw) == 3);
  CHECK(LocalDayDifference(At("2026-12-03T08:00:00Z"), At("2026-11-30T13:00:00Z"), kWarsaw) == -3);
  // New York is still on the 30th when Warsaw has reached the 1st.
  CHECK(LocalDayDifference(At("2026-11-30T13:00:00Z"), At("2026-12-01T00:30:00Z"),
                           "America/New_York") == 0);
  CHECK(LocalDayDifference(At("2026-11-30T13:00:00Z"), At("2026-12-01T00:30:00Z"), kWarsaw) == 1);
  // An unknown zone counts in UTC.
  CHECK(LocalDayDifference(At("2026-11-30T22:30:00Z"), At("2026-11-30T23:30:00Z"),
                           "Nowhere/Else") == 0);
}

TEST_CASE("LocalDayDifference across DST changes", "[locale]") {
  // Saturday noon CET to Sunday noon CEST: 23 hours, one day.
  CHECK(LocalDayDifference(At("2026-03-28T11:00:00Z"), At("2026-03-29T10:00:00Z"), kWarsaw) == 1);
  // Saturday 23:30 CEST to Sunday 23:30 CET: 25 hours, still one day.
  CHECK(LocalDayDifference(At("2026-10-24T21:30:00Z"), At("2026-10-25T22:30:00Z"), kWarsaw) == 1);
  // Sunday 00:30 CEST to Sunday 23:30 CET: 24 hours, the same day.
  CHECK(LocalDayDifference(At("2026-10-24T22:30:00Z"), At("2026-10-25T22:30:00Z"), kWarsaw) == 0);
}

TEST_CASE("Formatting survives times far outside any ticket's life", "[locale]") {
  CHECK(FormatDateTime(FromUnix(0), kWarsaw, "en") == "Thursday 01 January 1970, 01:00 CET");
  for (int64_t extreme :
       {std::numeric_limits<int64_t>::min() / 2, std::numeric_limits<int64_t>::max() / 2}) {
    for (const char* language : {"en", "pl", "bg"}) {
      CHECK_FALSE(FormatDateTime(FromUnix(extreme), kWarsaw, language).empty());
    }
  }
  CHECK(LocalDayDifference(FromUnix(std::numeric_limits<int64_t>::min() / 2),
                           FromUnix(std::numeric_limits<int64_t>::max() / 2), kWarsaw) > 3'000'000);
}

TEST_CASE("Formatting from many threads at once gives the same text", "[locale]") {
  Timestamp t = At("2026-11-30T13:00:00Z");
  std::vector<std::string> expected;
  for (std::string_view language : kSupportedLanguages) {
    expected.push_back(FormatDateTime(t, kWarsaw, language));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (size_t n = 0; n < mismatches.size(); ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 200; ++i) {
        size_t k = (n + i) % kSupportedLanguages.size();
        if (FormatDateTime(t, kWarsaw, kSupportedLanguages[k]) != expected[k]) ++mismatches[n];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("BaseLanguage accepts well-formed tags", "[locale]") {
  for (auto [tag, base] : std::vector<std::pair<const char*, const char*>>{
           {"pl", "pl"},
           {"pl-PL", "pl"},
           {"EN", "en"},
           {"en-gb", "en"},
           {"de-AT", "de"},
           {"fil", "fil"},
           {"sr-Latn-RS", "sr"},
           {"es-419", "es"},
           {"de-DE-1996", "de"},
           {"de-DE-u-co-phonebk", "de"},
           {"en-US-x-twain", "en"},
       }) {
    INFO(tag);
    CHECK(BaseLanguage(tag) == base);
  }
}

TEST_CASE("BaseLanguage rejects malformed tags", "[locale]") {
  const char* const malformed[] = {
      // The language subtag is missing, too short, too long or not letters.
      "", "p", "polish", "1pl", "p1", "*", "x-private", "i-klingon", "-pl",
      // A later subtag or separator is wrong.
      "pl_PL", "pl-", "pl--PL", "pl PL", " pl", "pl ", "pl\tPL", "pl;q=1", "pl-PL-abcdefghi",
      "zh-\xe4\xb8\xad",
      // An extension or private-use singleton with nothing after it (ICU's verdict).
      "en-US-u", "en-x"};
  for (const char* tag : malformed) {
    INFO(tag);
    CHECK(BaseLanguage(tag) == "");
  }
  CHECK(BaseLanguage(std::string_view("pl\0PL", 5)) == "");
  CHECK(BaseLanguage("en-" + std::string(70, 'a')) == "");
}

TEST_CASE("IsSupportedLanguage knows the shipped set", "[locale]") {
  for (const char* tag :
       {"en", "pl", "ru", "bg", "it", "de", "PL-pl", "de-AT", "en-GB", "RU", "it-CH"}) {
    INFO(tag);
    CHECK(IsSupportedLanguage(tag));
  }
  for (const char* tag : {"fr", "uk", "", "pl_PL", "english", "e", "*", "und", "de-"}) {
    INFO(tag);
    CHECK_FALSE(IsSupportedLanguage(tag));
  }
}

const std::vector<std::string> kAllowed = {"en", "pl", "ru", "bg", "it", "de"};

TEST_CASE("NegotiateLanguage follows q-values and regions", "[locale]") {
  struct Case {
    const char* header;
    const char* chosen;
  };
  for (const Case& c : std::vector<Case>{
           {"pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7", "pl"},
           {"fr-FR, fr;q=0.9, de;q=0.8, en;q=0.7", "de"},
           {"en;q=0.5, ru;q=0.8", "ru"},
           {"it-CH", "it"},
           {"DE-at;Q=1.000", "de"},
           {"bg;q=0.5, ru;q=0.5", "bg"},  // a tie goes to the range written first
           {"ru;q=0.5, bg;q=0.5", "ru"},
           {"fr, *;q=0.1", "en"},  // "*": the first allowed language
           {"en;q=0, *", "pl"},    // q=0 refuses, "*" takes the next one
           {"*;q=0.5, de", "de"},
           {"pl;q=0.2, pl-PL;q=0.6, ru;q=0.5", "pl"},  // the best range for a language counts
           {"uk, ru;q=0.001", "ru"},
       }) {
    INFO(c.header);
    CHECK(NegotiateLanguage(c.header, kAllowed, "en") == c.chosen);
  }
  // The answer is spelled as in the allowed list.
  CHECK(NegotiateLanguage("pl-PL", {"en", "PL"}, "en") == "PL");
  CHECK(NegotiateLanguage("de", {"pl", "ru"}, "ru") == "ru");
  CHECK(NegotiateLanguage("*", {}, "en") == "en");
}

TEST_CASE("NegotiateLanguage falls back when nothing acceptable is offered", "[locale]") {
  const char* const unacceptable[] = {
      "", "fr", "fr-FR, es;q=0.8", "pl;q=0", "*;q=0", "pl;q=0, *;q=0", ",,,", "   ", "pl_PL",
      "\xff\xfe", "english", "*-PL",
      // Broken q-values drop their range.
      "en;q=2", "en;q=-1", "en;q=0.5.5", "en;q=1.5", "en;q=0.1234", "en;q=", "en;q", "en;level=1",
      "en;;q=1", "en q=1", "en;q=NaN", "en;q=1e0"};
  for (const char* header : unacceptable) {
    INFO(header);
    CHECK(NegotiateLanguage(header, kAllowed, "it") == "it");
  }
}

TEST_CASE("NegotiateLanguage skips garbage around good ranges", "[locale]") {
  CHECK(NegotiateLanguage("en;q=oops, ;;, pl-PL;q=0.4, \xc3\x28, de;q=0.3", kAllowed, "en") ==
        "pl");
  CHECK(NegotiateLanguage(" \t de ; q=0.7 \t, ru;q=0.6", kAllowed, "en") == "de");
  CHECK(NegotiateLanguage(std::string_view("fr,\0de", 6), kAllowed, "it") ==
        "it");  // "\0de" is no tag
}

TEST_CASE("NegotiateLanguage bounds hostile headers", "[locale]") {
  // Only the first 32 ranges are read.
  std::string many;
  for (int i = 0; i < 32; ++i) many += "fr;q=0.9,";
  CHECK(NegotiateLanguage(many + "pl", kAllowed, "en") == "en");
  CHECK(NegotiateLanguage(many.substr(0, many.size() - 9) + "pl", kAllowed, "en") == "pl");
  // A header over 4 KiB is ignored as a whole, even when it starts well.
  std::string huge = "de," + std::string(5000, ' ');
  CHECK(NegotiateLanguage(huge, kAllowed, "en") == "en");
  CHECK(NegotiateLanguage("de," + std::string(4093, ' '), kAllowed, "en") == "de");
  // Near the limit, made of what is costly to parse: it stays cheap and safe.
  for (std::string hostile :
       {std::string(4096, ','), std::string(4096, ';'), std::string(4096, '-'),
        "pl" + std::string(4094, ';'), "pl;q=1" + std::string(4090, '0'), std::string(4096, '\0'),
        std::string(1 << 20, 'a')}) {
    CHECK(NegotiateLanguage(hostile, kAllowed, "en") == "en");
  }
}

}  // namespace
}  // namespace frontdesk
