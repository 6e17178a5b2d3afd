// text.h: small text helpers every input and output path shares: UTF-8
// validation, HTML escaping, safe file names and header values. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of code points in valid UTF-8 text.
size_t Utf8Length(std::string_view s);
// A whole number written with 1 to `max_digits` ASCII digits and nothing
// else (no sign, no space); nothing otherwise. max_digits at most 18.
std::optional<int64_t> ParseDigits(std::string_view text, size_t max_digits);
// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);
// ASCII lower case; other bytes (UTF-8 included) are left alone.
std::string AsciiLower(std::string_view s);
// Removes leading and trailing ASCII white space.
std::string_view Trim(std::string_view s);
// True when `s` holds a control character other than tab, CR and LF.
bool HasControlChars(std::string_view s);
// True when `s` holds any control character but tab: a line break too. A
// header value or a one-line field must hold none.
bool HasControlOrLineBreak(std::string_view s);
// A file name that is safe to store and to offer for download: the last path
// component, without control characters, without leading dots, at most 200
// bytes of valid UTF-8; "attachment" when nothing is left.
std::string SanitizeFilename(std::string_view name);
// "type/subtype" in lower case when `s` is a well-formed media type (its
// parameters dropped), else "application/octet-stream".
std::string NormalizeContentType(std::string_view s);
// A Content-Disposition value for `filename`: an ASCII fallback and an
// RFC 5987 UTF-8 form, always "attachment" so a browser never renders it.
std::string ContentDisposition(std::string_view filename);
// Unpadded base64url.
std::string Base64UrlEncode(std::string_view bytes);
// Decodes unpadded base64url; false on any character outside the alphabet.
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace frontdesk
