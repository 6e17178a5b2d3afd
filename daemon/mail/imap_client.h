// imap_client.h: the few IMAP operations the poller needs, over libcurl:
// the folder's UIDVALIDITY, the UIDs above a given one, message sizes, one
// message's bytes, and moving or deleting exactly the UIDs named (UID MOVE,
// or UID STORE \Deleted with UID EXPUNGE, so that messages flagged by
// someone else are never expunged). One login serves every call; every
// folder URL carries the UIDVALIDITY, so libcurl refuses to act on UIDs of
// a folder that was recreated in between.
// Not thread-safe: one client per poll.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/status.h"

namespace frontdesk {

struct ImapSettings {
  std::string host;
  int port = 993;
  std::string tls = "imaps";  // imaps, starttls, none
  std::string user, password;
  std::string ca_file;
  std::chrono::seconds timeout{30};
};

struct FolderStatus {
  int64_t uidvalidity = 0;
  int64_t uidnext = 0;
  int64_t messages = 0;
};

class ImapClient {
 public:
  explicit ImapClient(ImapSettings settings);
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;

  Result<FolderStatus> Status(const std::string& folder);
  // UIDs greater than `after`, ascending.
  Result<std::vector<int64_t>> UidsAfter(const std::string& folder, int64_t uidvalidity, int64_t after);
  // RFC822.SIZE of each UID that still exists.
  Result<std::map<int64_t, int64_t>> Sizes(const std::string& folder, int64_t uidvalidity,
                                           const std::vector<int64_t>& uids);
  // The message's bytes; kRejected when it is over `max_bytes`.
  Result<std::string> Fetch(const std::string& folder, int64_t uidvalidity, int64_t uid, int64_t max_bytes);
  // Creates `folder` unless it exists.
  frontdesk::Status EnsureFolder(const std::string& folder);
  frontdesk::Status Move(const std::string& folder, int64_t uidvalidity, const std::vector<int64_t>& uids,
                         const std::string& target);
  frontdesk::Status Delete(const std::string& folder, int64_t uidvalidity, const std::vector<int64_t>& uids);

 private:
  // Runs one request; `custom` empty for a plain fetch of `path`.
  frontdesk::Status Perform(const std::string& path, const std::string& custom, std::string* out,
                            int64_t max_bytes = 64 * 1024 * 1024);
  std::string FolderPath(const std::string& folder, int64_t uidvalidity) const;

  ImapSettings settings_;
  void* curl_;  // CURL*, kept opaque so callers need not include curl.h
  std::string base_url_;
};

// "1:3,7,9:10": a UID set for IMAP commands.
std::string UidSet(std::vector<int64_t> uids);
// A quoted IMAP string.
std::string ImapQuote(const std::string& s);

}  // namespace frontdesk
