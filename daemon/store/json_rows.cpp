#include "daemon/store/json_rows.h"

#include <array>
#include <charconv>

namespace frontdesk {
namespace {

// A JSON string: quotes and backslashes escaped, control characters as
// \u00XX; every other byte as it is. Runs of plain bytes are appended
// whole: a sweep of a thousand tickets writes about a megabyte of rows,
// and a byte at a time was a tenth of its client's instructions.
constexpr std::array<bool, 256> PlainBytes() {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 256; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}

void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::array<bool, 256> kPlain = PlainBytes();
  out += '"';
  size_t plain = 0;  // start of the run not yet appended
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kPlain[c]) continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

}  // namespace

JsonRows& JsonRows::Row() {
  if (row_open_) out_ += "},";
  out_ += '{';
  row_open_ = true;
  first_key_ = true;
  return *this;
}

// Keys are column names written in Frontdesk's code, never escaped.
void JsonRows::Key(std::string_view key) {
  if (!first_key_) out_ += ',';
  first_key_ = false;
  out_ += '"';
  out_.append(key);
  out_ += "\":";
}

JsonRows& JsonRows::Add(std::string_view key, int64_t value) {
  Key(key);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out_.append(digits, end);
  return *this;
}

JsonRows& JsonRows::Add(std::string_view key, std::string_view text) {
  Key(key);
  AppendString(out_, text);
  return *this;
}

JsonRows& JsonRows::Add(std::string_view key, const std::optional<int64_t>& value) {
  if (value) return Add(key, *value);
  Key(key);
  out_ += "null";
  return *this;
}

JsonRows& JsonRows::Add(std::string_view key, const std::optional<std::string>& text) {
  if (text) return Add(key, std::string_view(*text));
  Key(key);
  out_ += "null";
  return *this;
}

std::string JsonRows::Take() {
  if (row_open_) out_ += '}';
  out_ += ']';
  std::string done = std::move(out_);
  out_ = "[";
  row_open_ = false;
  first_key_ = true;
  return done;
}

}  // namespace frontdesk
