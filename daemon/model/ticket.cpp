#include "daemon/model/ticket.h"

#include <algorithm>

namespace frontdesk {

bool IsStatus(std::string_view s) {
  return std::find(std::begin(kStatuses), std::end(kStatuses), s) != std::end(kStatuses);
}

bool IsPriority(std::string_view s) {
  return std::find(std::begin(kPriorities), std::end(kPriorities), s) != std::end(kPriorities);
}

bool IsLegalTransition(std::string_view from, std::string_view to) {
  if (!IsStatus(from) || !IsStatus(to)) return false;
  if (from == to) return true;
  if (to == "new") return false;
  if (from == "closed") return false;
  if (from == "solved") return to == "open" || to == "closed";
  return true;
}

Status ValidateTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 64) {
    return Status::Invalid("a tag must be 1 to 64 characters", "tags");
  }
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '/';
    if (!ok) {
      return Status::Invalid("tag \"" + std::string(tag) +
                                 "\" may hold only a-z, 0-9 and - _ . : /",
                             "tags");
    }
  }
  return Status::Ok();
}

}  // namespace frontdesk
