#include "config/data_dir_scan.h"

#include <optional>
#include <vector>

namespace frontdesk {
namespace {

// A-Z a-z 0-9 _ -, without the locale lookups of std::isalnum: the scan
// runs once per mail, over every key of the file.
constexpr bool BareKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// A cursor over the file that knows TOML's strings, arrays, inline tables
// and comments well enough to step over any value, so that a line inside a
// multi-line string is never taken for a header or a key.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  DataDirScanResult Run() {
    bool in_server = false, seen_server = false;
    bool at_root = true;
    DataDirScanResult out;
    out.kind = DataDirScan::kDefault;
    for (;;) {
      SkipBlank(/*newlines=*/true);
      if (i_ >= s_.size()) return out;
      char c = s_[i_];
      if (c == '#') {
        SkipComment();
        continue;
      }
      if (c == '[') {
        std::optional<std::vector<std::string>> name;
        bool array = i_ + 1 < s_.size() && s_[i_ + 1] == '[';
        i_ += array ? 2 : 1;
        name = Key(/*stop=*/']');
        if (!name || !Expect(']') || (array && !Expect(']')) || !EndOfLine()) return Unsure();
        if (quoted_) return Unsure();  // ["server"] names it too
        at_root = false;
        in_server = !array && name->size() == 1 && (*name)[0] == "server";
        if ((*name)[0] == "server" && name->size() == 1) {
          if (array || seen_server) return Unsure();
          seen_server = true;
        }
        continue;
      }
      std::optional<std::vector<std::string>> key = Key('=');
      if (!key || !Expect('=')) return Unsure();
      const std::string& first = (*key)[0];
      if ((at_root || in_server) && quoted_) return Unsure();
      if (at_root && first == "server") return Unsure();  // server.data_dir = or server = {...}
      if (in_server && first == "data_dir") {
        if (key->size() != 1 || out.kind == DataDirScan::kFound) return Unsure();
        std::optional<std::string> value = PlainString();
        if (!value || !EndOfLine()) return Unsure();
        out.kind = DataDirScan::kFound;
        out.value = std::move(*value);
        continue;
      }
      if (!SkipValue() || !EndOfLine()) return Unsure();
    }
  }

 private:
  static DataDirScanResult Unsure() { return DataDirScanResult{}; }

  void SkipBlank(bool newlines) {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
        ++i_;
      } else {
        return;
      }
    }
  }
  void SkipComment() {
    size_t end = s_.find('\n', i_);
    i_ = end == std::string_view::npos ? s_.size() : end;
  }
  bool Expect(char c) {
    SkipBlank(false);
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  // White space, then a comment or the end of the line (or file).
  bool EndOfLine() {
    SkipBlank(false);
    if (i_ >= s_.size()) return true;
    if (s_[i_] == '#') {
      SkipComment();
      return true;
    }
    if (s_[i_] == '\r') ++i_;
    return i_ >= s_.size() || s_[i_] == '\n';
  }

  // A dotted key up to `stop` (not consumed). Sets quoted_ when any part
  // is quoted; quoted parts are kept raw, which is enough to tell them
  // apart from the plain names the scan compares against.
  std::optional<std::vector<std::string>> Key(char stop) {
    std::vector<std::string> parts;
    quoted_ = false;
    for (;;) {
      SkipBlank(false);
      if (i_ >= s_.size()) return std::nullopt;
      char c = s_[i_];
      std::string part;
      if (c == '"' || c == '\'') {
        quoted_ = true;
        size_t start = i_;
        if (!SkipSingleLineString()) return std::nullopt;
        part = std::string(s_.substr(start, i_ - start));
      } else {
        size_t start = i_;
        while (i_ < s_.size() && BareKeyChar(s_[i_])) ++i_;
        part = std::string(s_.substr(start, i_ - start));
        if (part.empty()) return std::nullopt;
      }
      parts.push_back(std::move(part));
      SkipBlank(false);
      if (i_ < s_.size() && s_[i_] == '.') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == stop) return parts;
      return std::nullopt;
    }
  }

  // "..." without escapes or '...', on one line: the only forms the scan
  // takes a value from.
  std::optional<std::string> PlainString() {
    SkipBlank(false);
    if (i_ >= s_.size()) return std::nullopt;
    char quote = s_[i_];
    if (quote != '"' && quote != '\'') return std::nullopt;
    if (s_.substr(i_, 3) == std::string(3, quote)) return std::nullopt;
    // A backslash is an escape in "..." (not read here) and a character in '...'.
    size_t end = quote == '\'' ? s_.find_first_of("'\n", i_ + 1) : s_.find_first_of("\"\n\\", i_ + 1);
    if (end == std::string_view::npos || s_[end] != quote) return std::nullopt;
    std::string value(s_.substr(i_ + 1, end - i_ - 1));
    for (char c : value) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return std::nullopt;
    }
    i_ = end + 1;
    return value;
  }

  bool SkipSingleLineString() {
    char quote = s_[i_++];
    while (i_ < s_.size() && s_[i_] != '\n') {
      char c = s_[i_++];
      if (quote == '"' && c == '\\') {
        if (i_ >= s_.size() || s_[i_] == '\n') return false;
        ++i_;
      } else if (c == quote) {
        return true;
      }
    }
    return false;
  }

  bool SkipMultiLineString() {
    char quote = s_[i_];
    i_ += 3;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (quote == '"' && c == '\\') {
        i_ += 2;
        continue;
      }
      if (s_.substr(i_, 3) == std::string(3, quote)) {
        i_ += 3;
        // Up to two more quotes belong to the content: """a"""""
        for (int extra = 0; extra < 2 && i_ < s_.size() && s_[i_] == quote; ++extra) ++i_;
        return true;
      }
      ++i_;
    }
    return false;
  }

  bool SkipString() {
    char quote = s_[i_];
    if (s_.substr(i_, 3) == std::string(3, quote)) return SkipMultiLineString();
    return SkipSingleLineString();
  }

  // Any value: a string, an array or inline table (nested, arrays over
  // several lines with comments), or a scalar up to the end of the line.
  bool SkipValue() {
    SkipBlank(false);
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"' || c == '\'') return SkipString();
    if (c == '[' || c == '{') {
      int depth = 0;
      while (i_ < s_.size()) {
        c = s_[i_];
        if (c == '"' || c == '\'') {
          if (!SkipString()) return false;
          continue;
        }
        if (c == '#') {
          SkipComment();
          continue;
        }
        ++i_;
        if (c == '[' || c == '{') ++depth;
        if ((c == ']' || c == '}') && --depth == 0) return true;
      }
      return false;
    }
    while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '#' && s_[i_] != '\r') ++i_;
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool quoted_ = false;
};

}  // namespace

DataDirScanResult ScanDataDir(std::string_view toml) { return Scanner(toml).Run(); }

}  // namespace frontdesk
