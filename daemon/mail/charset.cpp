#include "daemon/mail/charset.h"

#include <glib.h>

#include <cerrno>

#include "daemon/base/text.h"
#include "daemon/mail/mime_repair.h"

namespace frontdesk {

std::string ValidUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    unsigned char c = s[i];
    if (c >= 0xc0 && c < 0xe0) len = 2;
    else if (c >= 0xe0 && c < 0xf0) len = 3;
    else if (c >= 0xf0 && c < 0xf8) len = 4;
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (i + len <= s.size() && IsValidUtf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
    } else {
      out += "\xEF\xBF\xBD";
      len = 1;
    }
    i += len;
  }
  return out;
}

std::string WidenCharset(std::string charset) {
  if (charset == "gb2312" || charset == "gbk" || charset == "x-gbk" || charset == "euc-cn") return "GB18030";
  if (charset.rfind("ks_c_5601", 0) == 0 || charset == "euc-kr") return "CP949";
  if (charset == "iso-8859-1" || charset == "latin1" || charset == "us-ascii" || charset == "ascii")
    return "WINDOWS-1252";
  if (charset == "shift_jis" || charset == "x-sjis" || charset == "sjis") return "CP932";
  if (charset == "utf8") return "UTF-8";
  return charset;
}

std::string CharsetToUtf8(std::string_view bytes, std::string charset, std::vector<std::string>* problems) {
  charset = AsciiLower(charset);
  if (IsIso2022JpLabel(charset)) {
    // Read as Windows writes it (CP50221): the same text as CP932.
    JisReading reading;
    std::string sjis = Iso2022JpToShiftJis(bytes, &reading);
    if (problems && reading.shift_jis) problems->push_back("Shift_JIS text labelled ISO-2022-JP was read as Shift_JIS");
    else if (problems && reading.extended)
      problems->push_back("ISO-2022-JP text with NEC or IBM characters was read as CP50221");
    return CharsetToUtf8(sjis, "cp932", nullptr);
  }
  charset = WidenCharset(charset);
  if (charset == "utf-8" || charset == "UTF-8") return ValidUtf8(bytes);
  GIConv cd = g_iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<GIConv>(-1)) {
    // An unknown label: keep what is valid, as UTF-8 if it is.
    return ValidUtf8(bytes);
  }
  std::string out;
  std::string in(bytes);
  char* inbuf = in.data();
  gsize inleft = in.size();
  char buf[4096];
  while (inleft > 0) {
    char* outbuf = buf;
    gsize outleft = sizeof buf;
    gsize r = g_iconv(cd, &inbuf, &inleft, &outbuf, &outleft);
    out.append(buf, outbuf - buf);
    if (r == static_cast<gsize>(-1)) {
      if (errno == E2BIG) continue;
      // An invalid or truncated sequence: mark it and go on after one byte.
      out += "\xEF\xBF\xBD";
      ++inbuf;
      --inleft;
    }
  }
  char* outbuf = buf;
  gsize outleft = sizeof buf;
  g_iconv(cd, nullptr, nullptr, &outbuf, &outleft);
  out.append(buf, outbuf - buf);
  g_iconv_close(cd);
  return ValidUtf8(out);
}

bool ConvertsCleanly(std::string_view bytes, const std::string& charset) {
  GIConv cd = g_iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<GIConv>(-1)) return false;
  std::string in(bytes);
  char* inbuf = in.data();
  gsize inleft = in.size();
  char buf[4096];
  bool clean = true;
  while (inleft > 0) {
    char* outbuf = buf;
    gsize outleft = sizeof buf;
    if (g_iconv(cd, &inbuf, &inleft, &outbuf, &outleft) == static_cast<gsize>(-1) && errno != E2BIG) {
      clean = false;
      break;
    }
  }
  g_iconv_close(cd);
  return clean;
}

}  // namespace frontdesk
