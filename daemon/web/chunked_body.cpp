#include "daemon/web/chunked_body.h"

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

// A chunk-size line or a trailer line longer than this is refused: real
// clients send a few hex digits, and rarely an extension.
constexpr size_t kMaxLine = 4096;
// Sixteen hex digits hold any 64-bit size; more is a trick, not a body.
constexpr size_t kMaxSizeDigits = 16;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ChunkedBodyScanner::State ChunkedBodyScanner::Scan(std::string_view bytes) {
  for (;;) {
    if (part_ == Part::kDone) return State::kComplete;
    if (part_ == Part::kData) {
      // The chunk's data, then CRLF.
      if (bytes.size() - pos_ < left_ + 2) return State::kIncomplete;
      if (bytes.substr(pos_ + left_, 2) != "\r\n") return Bad("a chunk is not followed by CRLF");
      pos_ += left_ + 2;
      left_ = 0;
      part_ = Part::kSizeLine;
      continue;
    }
    size_t eol = bytes.find("\r\n", pos_);
    if (eol == std::string_view::npos) {
      if (bytes.size() - pos_ > kMaxLine) return Bad("a chunk-size or trailer line is too long");
      return State::kIncomplete;
    }
    if (eol - pos_ > kMaxLine) return Bad("a chunk-size or trailer line is too long");
    std::string_view line = bytes.substr(pos_, eol - pos_);
    pos_ = eol + 2;
    State s = part_ == Part::kSizeLine ? SizeLine(line) : TrailerLine(line);
    if (s != State::kIncomplete) return s;
    if (pos_ > max_bytes_) return State::kTooLarge;
  }
}

ChunkedBodyScanner::State ChunkedBodyScanner::SizeLine(std::string_view line) {
  size_t digits = 0;
  uint64_t size = 0;
  while (digits < line.size() && HexValue(line[digits]) >= 0) {
    size = size * 16 + static_cast<uint64_t>(HexValue(line[digits]));
    if (++digits > kMaxSizeDigits) return Bad("a chunk size has more than 16 hex digits");
  }
  if (digits == 0) return Bad("a chunk size is not a hexadecimal number");
  std::string_view rest = line.substr(digits);
  size_t ext = rest.find_first_not_of(" \t");
  if (ext != std::string_view::npos && (rest[ext] != ';' || HasControlOrLineBreak(rest))) {
    return Bad("a chunk size is followed by something other than an extension");
  }
  if (size == 0) {
    part_ = Part::kTrailer;
    return State::kIncomplete;
  }
  // The chunk and its CRLF must fit under the cap.
  if (size > max_bytes_ || pos_ + size + 2 > max_bytes_) return State::kTooLarge;
  left_ = size;
  part_ = Part::kData;
  return State::kIncomplete;
}

ChunkedBodyScanner::State ChunkedBodyScanner::TrailerLine(std::string_view line) {
  if (line.empty()) {
    part_ = Part::kDone;
    return State::kComplete;
  }
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos || HasControlOrLineBreak(line) ||
      line[0] == ' ' || line[0] == '\t' ||
      line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
    return Bad("a trailer line is not NAME: VALUE");
  }
  return State::kIncomplete;
}

ChunkedBodyScanner::State ChunkedBodyScanner::Bad(std::string problem) {
  problem_ = std::move(problem);
  return State::kBad;
}

}  // namespace frontdesk
