#include "daemon/mail/smtp_client.h"

#include <curl/curl.h>

#include <cstring>
#include <string_view>
#include <vector>

namespace frontdesk {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t Read(char* buffer, size_t size, size_t count, void* user) {
  Upload* u = static_cast<Upload*>(user);
  size_t n = std::min(size * count, u->data->size() - u->offset);
  std::memcpy(buffer, u->data->data() + u->offset, n);
  u->offset += n;
  return n;
}

// The code a reply line starts with, or 0.
long ReplyCode(std::string_view line) {
  if (line.size() < 3) return 0;
  long code = 0;
  for (char c : line.substr(0, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

// The server's replies as libcurl's debug callback sees them, kept to say
// why a send failed in the server's own words. libcurl reports only the
// code ("RCPT failed: 550"), and after a failure it sends QUIT, whose "221
// Bye" must not stand in for the reply that failed.
struct Transcript {
  std::vector<std::string> lines;  // the reply being read
  std::string last;                // the last whole reply but QUIT's, its lines joined by "; "
  long last_code = 0;
  bool quitting = false;           // QUIT was sent and its reply is not in yet

  void Sent(std::string_view command) { quitting = command.rfind("QUIT", 0) == 0; }
  // One or more reply lines. "250-..." continues a reply, "250 ..." (or a
  // bare code) ends it (RFC 5321 4.2.1).
  void Received(std::string_view data) {
    while (!data.empty()) {
      size_t nl = data.find('\n');
      std::string_view line = data.substr(0, nl);
      data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
      while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
      if (line.empty()) continue;
      // A long EHLO list need not be kept whole; a refusal's few lines are.
      if (lines.size() < 20) lines.emplace_back(line.substr(0, 500));
      if (line.size() > 3 && line[3] == '-') continue;
      if (quitting) {
        quitting = false;
      } else {
        last.clear();
        for (const std::string& l : lines) last += (last.empty() ? "" : "; ") + l;
        last_code = ReplyCode(line);
      }
      lines.clear();
    }
  }
};

int Debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  Transcript* t = static_cast<Transcript*>(user);
  if (type == CURLINFO_HEADER_OUT) t->Sent(std::string_view(data, size));
  if (type == CURLINFO_HEADER_IN) t->Received(std::string_view(data, size));
  return 0;
}

}  // namespace

SmtpClient::SmtpClient(SmtpSettings settings) : settings_(std::move(settings)), curl_(curl_easy_init()) {}

SmtpClient::~SmtpClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

SmtpResult SmtpClient::Send(const std::string& envelope_from, const std::string& recipient,
                            const std::string& message) {
  SmtpResult r;
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) {
    r.message = "cannot create a libcurl handle";
    return r;
  }
  std::string from = "<" + envelope_from + ">", to = "<" + recipient + ">";
  Transcript transcript;
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  Upload upload{&message};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, settings_.tls == "starttls"        ? CURLUSESSL_ALL
                                       : settings_.tls == "opportunistic" ? CURLUSESSL_TRY
                                                                          : CURLUSESSL_NONE);
  if (!settings_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count() * 4));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_READFUNCTION, Read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, Debug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &transcript);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, nullptr);
  curl_slist_free_all(rcpt);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
  if (rc == CURLE_OK) {
    r.ok = true;
    r.message = transcript.last;
    return r;
  }
  // A refusal is reported as the server worded it, every line of it: that
  // is what an operator needs ("550 5.1.1 <ann@example.org>: User
  // unknown"). Anything else (no connection, TLS, a timeout) is libcurl's.
  if (transcript.last_code >= 400) {
    r.code = transcript.last_code;
    r.message = transcript.last;
  } else {
    r.message = std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "");
    if (!transcript.last.empty()) r.message += " (server: " + transcript.last + ")";
  }
  r.permanent = r.code >= 500 && r.code < 600;
  return r;
}

}  // namespace frontdesk
