// html_text.h: renders the HTML body of a mail as the plain text a person
// reads in the ticket: what a browser would show, without scripts, styles or
// markup. Time is linear in the input whatever its markup, and the stack
// stays flat however deep the nesting. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace frontdesk {

// Only this much of an HTML part is rendered; the text of a longer one ends
// with a line that says it was cut. gumbo's tree takes up to about 50 bytes
// per byte of markup (2 MiB of <br> make 110 MB), and a newsletter is rarely
// over 200 KiB: the cap spares real mail and bounds what hostile mail costs.
inline constexpr size_t kMaxRenderedHtmlBytes = 2 << 20;

// Block elements become line breaks and <br> a line of its own (two make a
// blank line, never more than one in a row); whitespace collapses as in a
// browser except inside <pre> and for no-break spaces; list items start
// with "- " or "1. "; a table row is one line, its cells joined by " | ";
// a link reads "text (URL)" when the URL is http(s) or mailto and differs
// from its text. Every named and numeric entity is decoded; script, style,
// head, title and template are dropped. The result is valid UTF-8 without
// trailing spaces, trimmed.
std::string HtmlToText(std::string_view html);

}  // namespace frontdesk
