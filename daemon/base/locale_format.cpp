#include "daemon/base/locale_format.h"

#include <date/date.h>
#include <date/tz.h>
#include <unicode/dtptngen.h>
#include <unicode/locid.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>
#include <unicode/uloc.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <limits>
#include <locale>
#include <memory>
#include <optional>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

constexpr size_t kMaxLanguageTagBytes = 64;
constexpr size_t kMaxAcceptLanguageBytes = 4096;
constexpr size_t kMaxAcceptLanguageRanges = 32;

enum Kind { kDateTime = 0, kDate = 1, kTime = 2, kKinds = 3 };

// English is formatted as Frontdesk always did (date's %A/%B in the classic
// locale), so that mails and tests written before languages existed stay the same.
constexpr const char* kEnglishFormats[kKinds] = {"%A %d %B %Y, %H:%M", "%A %d %B %Y", "%H:%M"};
// "jj" is the locale's preferred hour cycle: 24 hours in all shipped languages
// but English, which does not use these skeletons.
constexpr const char16_t* kSkeletons[kKinds] = {u"EEEEdMMMMyjjmm", u"EEEEdMMMMy", u"jjmm"};

// A moment as a clock on the wall in the customer's zone shows it.
struct WallClock {
  date::local_seconds local;
  std::string abbrev;  // "CET", "CEST", "UTC"
};

// date's calendar types end at year 32767 and adding a zone offset to an
// extreme Timestamp would overflow; no ticket time is outside these years.
Timestamp ClampToCalendar(Timestamp t) {
  using date::sys_days;
  static constexpr Timestamp kFirst{sys_days{date::year{1} / 1 / 1}};
  static constexpr Timestamp kLast{sys_days{date::year{9999} / 12 / 31}};
  return std::clamp(t, kFirst, kLast);
}

WallClock ToWallClock(Timestamp t, const std::string& zone) {
  t = ClampToCalendar(t);
  try {
    const date::time_zone* tz = date::locate_zone(zone);
    date::sys_info info = tz->get_info(t);
    return {date::local_seconds{(t + info.offset).time_since_epoch()}, info.abbrev};
  } catch (const std::exception&) {
    return {date::local_seconds{t.time_since_epoch()}, "UTC"};
  }
}

struct LanguagePatterns {
  std::string_view language;
  icu::UnicodeString patterns[kKinds];  // empty where ICU failed
};
using PatternTable = std::array<LanguagePatterns, kSupportedLanguages.size()>;

PatternTable BuildPatterns() {
  PatternTable table;
  for (size_t i = 0; i < kSupportedLanguages.size(); ++i) {
    LanguagePatterns& entry = table[i];
    entry.language = kSupportedLanguages[i];
    if (entry.language == "en") continue;
    UErrorCode status = U_ZERO_ERROR;
    icu::Locale locale(std::string(entry.language).c_str());
    std::unique_ptr<icu::DateTimePatternGenerator> generator(
        icu::DateTimePatternGenerator::createInstance(locale, status));
    if (U_FAILURE(status) || !generator) continue;
    for (int kind = 0; kind < kKinds; ++kind) {
      UErrorCode pattern_status = U_ZERO_ERROR;
      icu::UnicodeString pattern =
          generator->getBestPattern(icu::UnicodeString(kSkeletons[kind]), pattern_status);
      if (U_SUCCESS(pattern_status) && !pattern.isBogus()) entry.patterns[kind] = pattern;
    }
  }
  return table;
}

// Building a DateTimePatternGenerator costs about 200 µs, several times a
// whole formatting call, and its answer for a language never changes within a
// process. So the patterns are computed once, on first use, and only read
// after that: a constant table, not shared mutable state. (Formatters are
// not shared: an ICU SimpleDateFormat must not be used by two threads.)
const PatternTable& Patterns() {
  static const PatternTable table = BuildPatterns();
  return table;
}

const LanguagePatterns* FindPatterns(std::string_view base) {
  for (const LanguagePatterns& entry : Patterns()) {
    if (entry.language == base) return &entry;
  }
  return nullptr;
}

std::optional<std::string> IcuFormat(const LanguagePatterns& lang, Kind kind,
                                     date::local_seconds local) {
  const icu::UnicodeString& pattern = lang.patterns[kind];
  if (pattern.isEmpty()) return std::nullopt;
  UErrorCode status = U_ZERO_ERROR;
  icu::SimpleDateFormat format(pattern, icu::Locale(std::string(lang.language).c_str()), status);
  if (U_FAILURE(status)) return std::nullopt;
  // The time is already on the customer's wall clock: ICU formats it in GMT,
  // so it neither shifts it again nor consults its own copy of the zone rules.
  format.setTimeZone(*icu::TimeZone::getGMT());
  icu::UnicodeString out;
  UDate when = static_cast<UDate>(local.time_since_epoch().count()) * 1000.0;
  format.format(when, out, nullptr, status);
  if (U_FAILURE(status) || out.isBogus() || out.isEmpty()) return std::nullopt;
  std::string text;
  out.toUTF8String(text);
  return text;
}

std::string Format(Timestamp t, const std::string& zone, std::string_view language, Kind kind) {
  // Whole minutes first, then the zone, exactly as the English text always did.
  WallClock wall = ToWallClock(std::chrono::floor<std::chrono::minutes>(t), zone);
  std::optional<std::string> text;
  std::string base = BaseLanguage(language);
  const LanguagePatterns* lang = base == "en" ? nullptr : FindPatterns(base);
  if (lang && kind == kDateTime) {
    // The date, a comma, the time: "poniedziałek, 30 listopada 2026, 14:00",
    // as a letter writes a deadline and as the English text does. ICU's own
    // joins differ by language ("2026 14:00", "um 14:00", "alle ore 14:00").
    std::optional<std::string> date = IcuFormat(*lang, kDate, wall.local);
    std::optional<std::string> time = IcuFormat(*lang, kTime, wall.local);
    if (date && time) text = *date + ", " + *time;
  } else if (lang) {
    text = IcuFormat(*lang, kind, wall.local);
  }
  if (!text) {
    text = date::format(std::locale::classic(), kEnglishFormats[kind],
                        std::chrono::floor<std::chrono::minutes>(wall.local));
  }
  // ICU has no abbreviation such as "CET" for every locale (English itself
  // says "GMT+1"), and a customer may compare it with other mails: the tz
  // database's abbreviation reads the same in every language.
  if (kind == kDateTime) *text += " " + wall.abbrev;
  return *std::move(text);
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || (c >= '0' && c <= '9'); }

// RFC 5646's langtag reduced to its outline: a 2-3 letter language, then
// subtags of 1-8 letters or digits. ICU then applies the finer rules (where a
// singleton may stand, what an extension holds).
bool HasTagOutline(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxLanguageTagBytes) return false;
  bool first = true;
  while (true) {
    size_t dash = tag.find('-');
    std::string_view sub = tag.substr(0, dash);
    size_t min = first ? 2 : 1, max = first ? 3 : 8;
    if (sub.size() < min || sub.size() > max) return false;
    if (!std::all_of(sub.begin(), sub.end(), first ? IsAsciiAlpha : IsAsciiAlnum)) return false;
    if (dash == std::string_view::npos) return true;
    tag.remove_prefix(dash + 1);
    first = false;
  }
}

// A qvalue (RFC 9110 12.4.2) in thousandths: "0.5" -> 500, "1" -> 1000.
std::optional<int> ParseQValue(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int q = (text[0] - '0') * 1000;
  if (text.size() > 1) {
    if (text[1] != '.') return std::nullopt;
    int scale = 100;
    for (char c : text.substr(2)) {
      if (c < '0' || c > '9') return std::nullopt;
      q += (c - '0') * scale;
      scale /= 10;
    }
  }
  if (q > 1000) return std::nullopt;
  return q;
}

struct LanguageRange {
  std::string base;  // empty for "*"
  int q = 1000;
  size_t position = 0;
};

// One element of Accept-Language: "pl-PL", "de;q=0.7", "*;q=0.1".
std::optional<LanguageRange> ParseRange(std::string_view item) {
  size_t semicolon = item.find(';');
  std::string_view tag = Trim(item.substr(0, semicolon));
  LanguageRange range;
  if (tag != "*") {
    range.base = BaseLanguage(tag);
    if (range.base.empty()) return std::nullopt;
  }
  while (semicolon != std::string_view::npos) {
    item.remove_prefix(semicolon + 1);
    semicolon = item.find(';');
    std::string_view param = Trim(item.substr(0, semicolon));
    bool is_q = param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=';
    std::optional<int> q = is_q ? ParseQValue(param.substr(2)) : std::nullopt;
    if (!q) return std::nullopt;
    range.q = *q;
  }
  return range;
}

std::vector<LanguageRange> ParseAcceptLanguage(std::string_view header) {
  std::vector<LanguageRange> ranges;
  if (header.size() > kMaxAcceptLanguageBytes) return ranges;
  for (size_t n = 0; n < kMaxAcceptLanguageRanges; ++n) {
    size_t comma = header.find(',');
    if (std::optional<LanguageRange> range = ParseRange(header.substr(0, comma))) {
      range->position = n;
      ranges.push_back(std::move(*range));
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return ranges;
}

}  // namespace

std::string BaseLanguage(std::string_view tag) {
  if (!HasTagOutline(tag)) return "";
  std::string text(tag);
  char locale_id[ULOC_FULLNAME_CAPACITY];
  int32_t parsed = 0;
  UErrorCode status = U_ZERO_ERROR;
  uloc_forLanguageTag(text.c_str(), locale_id, sizeof locale_id, &parsed, &status);
  if (U_FAILURE(status) || parsed != static_cast<int32_t>(text.size())) return "";
  return AsciiLower(tag.substr(0, tag.find('-')));
}

bool IsSupportedLanguage(std::string_view tag) {
  std::string base = BaseLanguage(tag);
  return std::find(kSupportedLanguages.begin(), kSupportedLanguages.end(), base) !=
         kSupportedLanguages.end();
}

std::string FormatDateTime(Timestamp t, const std::string& iana_zone, std::string_view language) {
  return Format(t, iana_zone, language, kDateTime);
}

std::string FormatDate(Timestamp t, const std::string& iana_zone, std::string_view language) {
  return Format(t, iana_zone, language, kDate);
}

std::string FormatTime(Timestamp t, const std::string& iana_zone, std::string_view language) {
  return Format(t, iana_zone, language, kTime);
}

int LocalDayDifference(Timestamp from, Timestamp to, const std::string& iana_zone) {
  auto day = [&](Timestamp t) { return date::floor<date::days>(ToWallClock(t, iana_zone).local); };
  // Both ends lie within years 1-9999, so the difference fits an int.
  return static_cast<int>((day(to) - day(from)).count());
}

std::string NegotiateLanguage(std::string_view accept_language,
                              const std::vector<std::string>& allowed, std::string_view fallback) {
  std::vector<LanguageRange> ranges = ParseAcceptLanguage(accept_language);
  const std::string* best = nullptr;
  int best_q = 0;
  size_t best_position = std::numeric_limits<size_t>::max();
  for (const std::string& candidate : allowed) {
    std::string base = BaseLanguage(candidate);
    if (base.empty()) continue;
    // The header's own word on this language, else what "*" says.
    const LanguageRange* named = nullptr;
    const LanguageRange* any = nullptr;
    for (const LanguageRange& range : ranges) {
      if (range.base.empty()) {
        if (!any || range.q > any->q) any = &range;
      } else if (range.base == base && (!named || range.q > named->q)) {
        named = &range;
      }
    }
    const LanguageRange* match = named ? named : any;
    if (!match || match->q == 0) continue;
    if (match->q > best_q || (match->q == best_q && match->position < best_position)) {
      best = &candidate;
      best_q = match->q;
      best_position = match->position;
    }
  }
  return best ? *best : std::string(fallback);
}

}  // namespace frontdesk
