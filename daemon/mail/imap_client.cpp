#include "daemon/mail/imap_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace frontdesk {
namespace {

struct Sink {
  std::string* out;
  int64_t max_bytes;
  bool overflow = false;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  Sink* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (static_cast<int64_t>(sink->out->size() + n) > sink->max_bytes) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->out->append(data, n);
  return n;
}

// The number after `key ` in an untagged response, or -1.
int64_t NumberAfter(const std::string& text, const std::string& key) {
  size_t at = 0;
  while ((at = text.find(key, at)) != std::string::npos) {
    bool word_start = at == 0 || text[at - 1] == ' ' || text[at - 1] == '(';
    at += key.size();
    if (!word_start || at >= text.size() || text[at] != ' ') continue;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str() + at + 1, &end, 10);
    if (end != text.c_str() + at + 1) return v;
  }
  return -1;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

}  // namespace

std::string UidSet(std::vector<int64_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  for (size_t i = 0; i < uids.size();) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ':' + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

std::string ImapQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c != '\r' && c != '\n') out += c;
  }
  return out + "\"";
}

ImapClient::ImapClient(ImapSettings settings) : settings_(std::move(settings)), curl_(curl_easy_init()) {
  std::string host = settings_.host.find(':') != std::string::npos ? "[" + settings_.host + "]" : settings_.host;
  base_url_ = (settings_.tls == "imaps" ? "imaps://" : "imap://") + host + ":" + std::to_string(settings_.port);
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return;
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  curl_easy_setopt(c, CURLOPT_USERNAME, settings_.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  curl_easy_setopt(c, CURLOPT_USE_SSL, settings_.tls == "starttls" ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings_.timeout.count()));
  // A stalled server is abandoned; a slow but moving download of a large
  // message is not.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Write);
}

ImapClient::~ImapClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string ImapClient::FolderPath(const std::string& folder, int64_t uidvalidity) const {
  CURL* c = static_cast<CURL*>(curl_);
  char* escaped = curl_easy_escape(c, folder.c_str(), static_cast<int>(folder.size()));
  std::string path = "/" + std::string(escaped ? escaped : "");
  curl_free(escaped);
  return path + ";UIDVALIDITY=" + std::to_string(uidvalidity);
}

frontdesk::Status ImapClient::Perform(const std::string& path, const std::string& custom, std::string* out,
                                      int64_t max_bytes) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return frontdesk::Status::Internal("cannot create a libcurl handle");
  std::string url = base_url_ + path;
  Sink sink{out, max_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, custom.empty() ? nullptr : custom.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (sink.overflow) return frontdesk::Status::Rejected("over " + std::to_string(max_bytes) + " bytes");
  if (rc == CURLE_OK) return frontdesk::Status::Ok();
  std::string what = curl_easy_strerror(rc);
  if (error[0]) what += std::string(": ") + error;
  std::string doing = custom.empty() ? "fetching " + path : custom.substr(0, custom.find(' ', 4));
  return frontdesk::Status::Unavailable("IMAP " + settings_.host + ":" + std::to_string(settings_.port) + ": " +
                                        doing + ": " + what);
}

Result<FolderStatus> ImapClient::Status(const std::string& folder) {
  std::string out;
  frontdesk::Status s = Perform("/", "STATUS " + ImapQuote(folder) + " (UIDVALIDITY UIDNEXT MESSAGES)", &out);
  if (!s.ok()) return s;
  FolderStatus f;
  f.uidvalidity = NumberAfter(out, "UIDVALIDITY");
  f.uidnext = NumberAfter(out, "UIDNEXT");
  f.messages = NumberAfter(out, "MESSAGES");
  if (f.uidvalidity <= 0) {
    return frontdesk::Status::Unavailable("IMAP " + settings_.host + ": no UIDVALIDITY for folder \"" + folder +
                                          "\" in the server's answer");
  }
  return f;
}

Result<std::vector<int64_t>> ImapClient::UidsAfter(const std::string& folder, int64_t uidvalidity, int64_t after) {
  std::string out;
  frontdesk::Status s =
      Perform(FolderPath(folder, uidvalidity), "UID SEARCH UID " + std::to_string(after + 1) + ":*", &out);
  if (!s.ok()) return s;
  std::vector<int64_t> uids;
  for (const std::string& line : Lines(out)) {
    if (line.rfind("* SEARCH", 0) != 0) continue;
    std::istringstream words(line.substr(8));
    int64_t uid;
    while (words >> uid) {
      // "n:*" always names the highest UID, even when it is below n.
      if (uid > after) uids.push_back(uid);
    }
  }
  std::sort(uids.begin(), uids.end());
  return uids;
}

Result<std::map<int64_t, int64_t>> ImapClient::Sizes(const std::string& folder, int64_t uidvalidity,
                                                     const std::vector<int64_t>& uids) {
  std::map<int64_t, int64_t> sizes;
  if (uids.empty()) return sizes;
  std::string out;
  frontdesk::Status s =
      Perform(FolderPath(folder, uidvalidity), "UID FETCH " + UidSet(uids) + " (UID RFC822.SIZE)", &out);
  if (!s.ok()) return s;
  for (const std::string& line : Lines(out)) {
    if (line.rfind("* ", 0) != 0 || line.find(" FETCH ") == std::string::npos) continue;
    int64_t uid = NumberAfter(line, "UID"), size = NumberAfter(line, "RFC822.SIZE");
    if (uid > 0 && size >= 0) sizes[uid] = size;
  }
  return sizes;
}

Result<std::string> ImapClient::Fetch(const std::string& folder, int64_t uidvalidity, int64_t uid,
                                      int64_t max_bytes) {
  std::string out;
  frontdesk::Status s = Perform(FolderPath(folder, uidvalidity) + ";UID=" + std::to_string(uid), "", &out, max_bytes);
  if (!s.ok()) return s;
  return out;
}

frontdesk::Status ImapClient::EnsureFolder(const std::string& folder) {
  std::string out;
  frontdesk::Status created = Perform("/", "CREATE " + ImapQuote(folder), &out);
  if (created.ok()) return created;
  // Most servers refuse CREATE for a folder that exists; LIST tells.
  out.clear();
  frontdesk::Status listed = Perform("/", "LIST \"\" " + ImapQuote(folder), &out);
  if (listed.ok() && out.find("* LIST") != std::string::npos) return frontdesk::Status::Ok();
  return created;
}

frontdesk::Status ImapClient::Move(const std::string& folder, int64_t uidvalidity, const std::vector<int64_t>& uids,
                                   const std::string& target) {
  if (uids.empty()) return frontdesk::Status::Ok();
  std::string out, set = UidSet(uids), path = FolderPath(folder, uidvalidity);
  frontdesk::Status s = Perform(path, "UID MOVE " + set + " " + ImapQuote(target), &out);
  if (s.ok()) return s;
  // Servers without MOVE (RFC 6851): copy, then delete exactly these UIDs.
  frontdesk::Status copied = Perform(path, "UID COPY " + set + " " + ImapQuote(target), &out);
  if (!copied.ok()) return s;
  return Delete(folder, uidvalidity, uids);
}

frontdesk::Status ImapClient::Delete(const std::string& folder, int64_t uidvalidity, const std::vector<int64_t>& uids) {
  if (uids.empty()) return frontdesk::Status::Ok();
  std::string out, set = UidSet(uids), path = FolderPath(folder, uidvalidity);
  frontdesk::Status s = Perform(path, "UID STORE " + set + " +FLAGS.SILENT (\\Deleted)", &out);
  if (!s.ok()) return s;
  // UID EXPUNGE (RFC 4315), never a plain EXPUNGE, which would also remove
  // messages someone else flagged \Deleted.
  return Perform(path, "UID EXPUNGE " + set, &out);
}

}  // namespace frontdesk
