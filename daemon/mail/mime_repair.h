// mime_repair.h: repairs for what real mail gets wrong in ways GMime alone
// does not undo. GMime still does all the decoding; these only reshape the
// input so that it can.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/mail/mime.h"

namespace frontdesk {

// GMime joins the payloads of adjacent base64 encoded words before decoding
// them (so that a character split across two words survives), and a word
// that ends in '=' padding then cuts off everything after it:
// "=?UTF-8?B?w5xiZXI=?= =?UTF-8?B?IGRpZQ==?=" decodes to "Über", not
// "Über die". Each padded base64 word is rewritten as the same bytes in Q
// encoding, which joins safely.
// GMime also spends time quadratic in a header field's length on words
// that never end ("=?utf-8?b?..." without "?="); all but the first such
// word of a field get an invisible U+2060 after their '=' (GMime shows them
// as written either way), and *left_as_text, when given, grows by how many.
// `headers` is one header block; linear in its length. Returns nothing
// when no word needed either repair.
std::optional<std::string> RepairEncodedWords(std::string_view headers,
                                              int* left_as_text = nullptr);

// Takes uuencoded files ("begin 644 name" ... "end") out of a text body and
// returns them as attachments; the text keeps a note where each was. Linear
// in the text's length, however many "begin" lines lack their "end".
std::vector<MailAttachment> ExtractUuencoded(std::string* text);

}  // namespace frontdesk
