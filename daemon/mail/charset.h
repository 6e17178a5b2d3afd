// charset.h: text in the charsets mail declares, read as UTF-8. Labels
// that lie in practice are widened to what senders meant (gb2312 to
// GB18030, iso-8859-1 to windows-1252), and ISO-2022-JP is read as
// Windows writes it. Invalid sequences become U+FFFD; nothing here fails.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace frontdesk {

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string ValidUtf8(std::string_view s);
// The charset a lying label means; `charset` is lower case.
std::string WidenCharset(std::string charset);
// `bytes` in `charset`, as UTF-8; an unknown label keeps what is valid
// UTF-8. Notes in `problems` (when given) where ISO-2022-JP needed more than
// its own tables.
std::string CharsetToUtf8(std::string_view bytes, std::string charset, std::vector<std::string>* problems);
// Whether iconv reads all of `bytes` as `charset` without an error.
bool ConvertsCleanly(std::string_view bytes, const std::string& charset);

}  // namespace frontdesk
