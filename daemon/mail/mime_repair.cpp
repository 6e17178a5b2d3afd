#include "daemon/mail/mime_repair.h"

#include <glib.h>
#include <gmime/gmime.h>

#include "daemon/base/text.h"

namespace frontdesk {

std::optional<std::string> RepairEncodedWords(std::string_view headers) {
  std::string out;
  bool changed = false;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t start = headers.find("=?", pos);
    if (start == std::string_view::npos) break;
    // =?charset?B?payload?=
    size_t q1 = headers.find('?', start + 2);
    if (q1 == std::string_view::npos || q1 + 2 >= headers.size() || headers[q1 + 2] != '?' ||
        (headers[q1 + 1] != 'B' && headers[q1 + 1] != 'b')) {
      out.append(headers.substr(pos, start + 2 - pos));
      pos = start + 2;
      continue;
    }
    size_t end = headers.find("?=", q1 + 3);
    std::string_view charset = headers.substr(start + 2, q1 - start - 2);
    std::string_view payload = end == std::string_view::npos ? std::string_view() : headers.substr(q1 + 3, end - q1 - 3);
    bool padded = !payload.empty() && payload.back() == '=';
    bool clean = payload.find_first_of(" \t\r\n?") == std::string_view::npos &&
                 charset.find_first_of(" \t\r\n") == std::string_view::npos && charset.size() <= 40;
    if (end == std::string_view::npos || !padded || !clean) {
      out.append(headers.substr(pos, start + 2 - pos));
      pos = start + 2;
      continue;
    }
    std::string b64(payload);
    gsize len = 0;
    guchar* bytes = g_base64_decode(b64.c_str(), &len);
    out.append(headers.substr(pos, start - pos));
    out += "=?";
    out.append(charset);
    out += "?Q?";
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (gsize i = 0; i < len; ++i) {
      out += '=';
      out += kHex[bytes[i] >> 4];
      out += kHex[bytes[i] & 15];
    }
    out += "?=";
    g_free(bytes);
    changed = true;
    pos = end + 2;
  }
  if (!changed) return std::nullopt;
  out.append(headers.substr(pos));
  return out;
}

std::vector<MailAttachment> ExtractUuencoded(std::string* text) {
  std::vector<MailAttachment> found;
  size_t search = 0;
  while (search < text->size()) {
    size_t begin = text->find("begin ", search);
    if (begin == std::string::npos) break;
    search = begin + 6;
    if (begin != 0 && (*text)[begin - 1] != '\n') continue;
    size_t eol = text->find('\n', begin);
    if (eol == std::string::npos) break;
    std::string_view line(text->data() + begin + 6, eol - begin - 6);
    // "644 name": three or four octal digits, a space, a name.
    size_t sp = line.find(' ');
    if (sp < 3 || sp > 4 || sp == std::string_view::npos) continue;
    bool octal = true;
    for (size_t i = 0; i < sp; ++i) octal = octal && line[i] >= '0' && line[i] <= '7';
    std::string name(Trim(line.substr(sp + 1)));
    if (!octal || name.empty()) continue;
    size_t end = text->find("\nend", eol);
    while (end != std::string::npos) {
      size_t after = end + 4;
      if (after >= text->size() || (*text)[after] == '\n' || (*text)[after] == '\r') break;
      end = text->find("\nend", after);
    }
    if (end == std::string::npos) continue;
    std::string body = text->substr(eol + 1, end + 1 - (eol + 1));
    std::string decoded(body.size(), '\0');
    int state = GMIME_UUDECODE_STATE_BEGIN;
    guint32 save = 0;
    size_t n = g_mime_encoding_uudecode_step(reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                                             reinterpret_cast<unsigned char*>(decoded.data()), &state, &save);
    decoded.resize(n);
    MailAttachment a;
    a.filename = SanitizeFilename(name);
    a.content_type = "application/octet-stream";
    a.data = std::move(decoded);
    size_t stop = std::min(text->size(), end + 4 + ((end + 4 < text->size() && (*text)[end + 4] == '\r') ? 2 : 1));
    std::string note = "[uuencoded file " + a.filename + " (" + std::to_string(a.data.size()) + " bytes), attached]\n";
    text->replace(begin, stop - begin, note);
    search = begin + note.size();
    found.push_back(std::move(a));
  }
  return found;
}

}  // namespace frontdesk
