// locale_format.h: dates and times in the customer's language, and the choice
// of that language. ICU supplies the words, their grammatical case and their
// order; the zone rules and the zone abbreviation come from the system tz
// database, as for the SLA calendar, so every language names the same local
// time. All functions are pure and thread-safe; an ICU failure falls back to
// the English text and nothing throws.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"

namespace frontdesk {

// The languages Frontdesk can write customer texts in, as base tags.
inline constexpr std::array<std::string_view, 6> kSupportedLanguages = {"en", "pl", "ru",
                                                                        "bg", "it", "de"};

// The primary language subtag of a well-formed BCP 47 tag, in lower case:
// "pl-PL" -> "pl", "EN" -> "en". "" when the tag is malformed: the language
// must have 2-3 letters, each further subtag 1-8 letters or digits, ICU must
// accept the whole tag, and it must fit in 64 bytes.
std::string BaseLanguage(std::string_view tag);

// True when the base language of `tag` is one of kSupportedLanguages
// ("de-AT" and "EN-gb" are; "fr", "" and "pl_PL" are not).
bool IsSupportedLanguage(std::string_view tag);

// The wall-clock time of `t` in `iana_zone`, in `language`, to the minute.
// An unknown zone is read as UTC; a language outside kSupportedLanguages is
// written in English. English keeps the text Frontdesk has always sent
// ("Monday 30 November 2026, 14:00 CET", day of month zero-padded); the
// others join ICU's date and ICU's time of the locale with a comma, as a
// letter writes a deadline.
//
// Weekday, date, 24-hour time and the zone abbreviation:
//   pl "poniedziałek, 30 listopada 2026, 14:00 CET",
//   de "Montag, 30. November 2026, 14:00 CET".
std::string FormatDateTime(Timestamp t, const std::string& iana_zone, std::string_view language);
// Weekday and date only: pl "wtorek, 1 grudnia 2026", en "Tuesday 01 December 2026".
std::string FormatDate(Timestamp t, const std::string& iana_zone, std::string_view language);
// The time of day only, without a zone: "14:00" (bg "14:00 ч.").
std::string FormatTime(Timestamp t, const std::string& iana_zone, std::string_view language);

// How many calendar days the local date of `to` is after that of `from` in
// `iana_zone` (UTC when unknown): 0 on the same local day, 1 for the next
// one, negative when `to` falls on an earlier day.
int LocalDayDifference(Timestamp from, Timestamp to, const std::string& iana_zone);

// The entry of `allowed` that an HTTP Accept-Language header prefers most,
// returned as spelled in `allowed`; `fallback` when none is acceptable.
// Ranges match on the base language ("pl-PL" matches "pl"), "*" matches any
// language the header does not name, q=0 refuses, and ties go to the range
// written first (for "*", to the first entry of `allowed`). Malformed ranges
// are skipped; only the first 32 ranges are read, and a header over 4 KiB is
// ignored as a whole, so hostile input costs little.
std::string NegotiateLanguage(std::string_view accept_language,
                              const std::vector<std::string>& allowed, std::string_view fallback);

}  // namespace frontdesk
