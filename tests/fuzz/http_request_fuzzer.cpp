// A libFuzzer target for how the listener frames a request before any
// thread sees it: the head check (request_head.h) and the chunked body scan
// (chunked_body.h). Every byte string must be framed without a crash or
// undefined behaviour, a complete head or body must lie within the bytes,
// and a chunked body scanned in pieces must end where it ends scanned
// whole. packaging/fuzz.sh builds and runs it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/web/chunked_body.h"
#include "daemon/web/request_head.h"

namespace {

using frontdesk::ChunkedBodyScanner;

// The first byte picks the size of the pieces the body arrives in.
ChunkedBodyScanner::State ScanInPieces(std::string_view body, size_t step, uint64_t cap, size_t* size) {
  ChunkedBodyScanner scanner(cap);
  ChunkedBodyScanner::State state = ChunkedBodyScanner::State::kIncomplete;
  for (size_t have = 0; have < body.size() && state == ChunkedBodyScanner::State::kIncomplete;) {
    have = std::min(body.size(), have + step);
    state = scanner.Scan(body.substr(0, have));
  }
  if (body.empty()) state = scanner.Scan(body);
  *size = scanner.size();
  return state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  frontdesk::RequestHead head = frontdesk::ScanRequestHead(bytes, 4096);
  if (head.state == frontdesk::RequestHead::State::kComplete ||
      head.state == frontdesk::RequestHead::State::kRefused) {
    if (head.size > bytes.size() || head.size > 4096) std::abort();
    if ((head.state == frontdesk::RequestHead::State::kRefused) != (head.status != 0)) std::abort();
    std::string copy(bytes);
    size_t dropped = frontdesk::DropExpectHeaders(copy, head.size);
    if (dropped > head.size || copy.size() != bytes.size() - (head.size - dropped)) std::abort();
  }
  // The body scan, on what follows a head, or on the bytes themselves.
  std::string_view body = head.state == frontdesk::RequestHead::State::kComplete ? bytes.substr(head.size) : bytes;
  size_t whole_size = 0, piece_size = 0;
  ChunkedBodyScanner::State whole = ScanInPieces(body, body.size() + 1, 1 << 16, &whole_size);
  ChunkedBodyScanner::State pieces = ScanInPieces(body, step, 1 << 16, &piece_size);
  if (whole != pieces) std::abort();
  if (whole == ChunkedBodyScanner::State::kComplete && (whole_size != piece_size || whole_size > body.size())) {
    std::abort();
  }
  return 0;
}
