// mime_repair.h: repairs for what real mail gets wrong in ways GMime alone
// does not undo. GMime still does all the decoding; these only reshape the
// input so that it can.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/mail/mime.h"

namespace frontdesk {

// What RepairEncodedWords did to one header block, for the problems list.
struct WordRepairs {
  int left_as_text = 0;  // words that never end, defused for GMime
  int short_base64 = 0;  // B words whose last group was cut short
  int jis_extended = 0;  // ISO-2022-JP words with NEC or IBM characters
  int shift_jis = 0;     // words labelled ISO-2022-JP that hold Shift_JIS
};

// GMime joins the payloads of adjacent base64 encoded words before decoding
// them (so that a character split across two words survives), and a word
// that ends in '=' padding then cuts off everything after it:
// "=?UTF-8?B?w5xiZXI=?= =?UTF-8?B?IGRpZQ==?=" decodes to "Über", not
// "Über die". Each padded base64 word is rewritten as the same bytes in Q
// encoding, which joins safely. So is a word whose last group was cut
// short ("w5xiZXI" without its '='): each word stands alone (RFC 2047), and
// its whole bytes are kept where GMime dropped them.
// A word labelled ISO-2022-JP that GMime's iconv cannot read, because it
// holds NEC or IBM extension characters (Windows' CP50221: circled digits,
// Roman numerals) or is Shift_JIS under the wrong label, is rewritten as
// the same text in UTF-8.
// GMime also spends time quadratic in a header field's length on words
// that never end ("=?utf-8?b?..." without "?="); all but the first such
// word of a field get an invisible U+2060 after their '=' (GMime shows them
// as written either way).
// `headers` is one header block; linear in its length. Returns nothing
// when no word needed a repair; `repairs`, when given, grows by what was
// done.
std::optional<std::string> RepairEncodedWords(std::string_view headers,
                                              WordRepairs* repairs = nullptr);

// Base64 as GMime reads it (characters outside the alphabet skipped, '='
// padding honoured), plus the whole bytes of a last group that was cut
// short: 18 characters give 13 bytes, 15 give 11, where GMime stops at 12
// and 9. *cut_short, when given, says whether there were such bytes.
std::string DecodeBase64Whole(std::string_view encoded, bool* cut_short = nullptr);

// The body of an x-uuencode part that lacks its "begin" line: the lines
// decoded as uuencode anyway, up to a "`" or "end" line. Nothing when a line
// does not look like uuencode (its length character promises more than the
// line holds, or it has characters uuencode never writes), so that text
// mislabelled as x-uuencode is not turned into noise. Linear.
std::optional<std::string> DecodeHeadlessUuencode(std::string_view encoded);

// How Iso2022JpToShiftJis found its input.
struct JisReading {
  bool extended = false;   // NEC row 13 or IBM rows 89 to 92 (CP50221)
  bool shift_jis = false;  // 8-bit bytes outside any escape: Shift_JIS
};

// ISO-2022-JP as Windows writes it (CP50221, a superset of RFC 1468) turned
// into the same text in Shift_JIS (CP932), which iconv reads whole: glibc
// has no CP50221, and its ISO-2022-JP refuses the NEC and IBM characters.
// 8-bit bytes outside the JIS escapes pass through, so Shift_JIS under an
// ISO-2022-JP label comes out as itself. Linear.
std::string Iso2022JpToShiftJis(std::string_view bytes, JisReading* reading = nullptr);

// Whether `charset` names ISO-2022-JP or one of Windows' supersets of it.
bool IsIso2022JpLabel(std::string_view charset);

// GMime drops an address whose local part starts or ends with a dot, or
// has two in a row ("john.@example.com"), which some mail systems write.
// In the address fields of `headers` (From, To, Cc, Bcc, Reply-To, Sender
// and their Resent- forms) such a local part is quoted, which GMime reads;
// UnquoteLocalPart gives it back as written. Quoted strings and comments
// are left alone. `quoted`, when given, grows by how many. Linear.
std::optional<std::string> QuoteDottedLocalParts(std::string_view headers, int* quoted = nullptr);

// "john."@example.com -> john.@example.com: the quotes come off a local
// part that needs them only for its dots. Anything else is returned as is.
std::string UnquoteLocalPart(std::string_view address);

// Skips what stands before the first header of `raw` and is no header:
// an mbox "From " line, an empty line, a line of garbage a gateway left.
// GMime would end the headers at the first of them and read the real
// headers as body. At most five lines are skipped, and only when a header
// line follows them, so a mail without headers stays as it is; what was
// skipped is added to `problems`. Reads only those lines.
std::string_view SkipBeforeHeaders(std::string_view raw, std::vector<std::string>& problems);
// Headers followed by text with no empty line between (hand-written or
// broken mail): GMime would read the text's lines as broken headers and
// drop them. When no header line comes after the first line that is none,
// that line starts the body: returns the mail with the empty line put
// back, and says so in `problems`; nullopt when nothing changed.
std::optional<std::string> OpenBodyAfterHeaders(std::string_view raw, std::vector<std::string>& problems);

// The lines of the first `count` header `blocks` (begin and end offsets
// in `raw`, as mime_limits.h finds them) that hold 8-bit bytes. Linear.
std::string EightBitHeaderLines(std::string_view raw,
                                const std::vector<std::pair<size_t, size_t>>& blocks, size_t count);

// Takes uuencoded files ("begin 644 name" ... "end") out of a text body and
// returns them as attachments; the text keeps a note where each was. Linear
// in the text's length, however many "begin" lines lack their "end".
std::vector<MailAttachment> ExtractUuencoded(std::string* text);

}  // namespace frontdesk
