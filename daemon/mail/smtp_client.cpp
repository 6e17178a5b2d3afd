#include "daemon/mail/smtp_client.h"

#include <curl/curl.h>

#include <cstring>

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

// Keeps the server's last reply line, for the outbox row.
int Debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (!line.empty()) *static_cast<std::string*>(user) = line.substr(0, 500);
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
  std::string from = "<" + envelope_from + ">", to = "<" + recipient + ">", last_reply;
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
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &last_reply);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, nullptr);
  curl_slist_free_all(rcpt);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
  if (rc == CURLE_OK) {
    r.ok = true;
    r.message = last_reply;
    return r;
  }
  r.permanent = r.code >= 500 && r.code < 600;
  r.message = std::string(curl_easy_strerror(rc)) + (error[0] ? std::string(": ") + error : "");
  if (!last_reply.empty()) r.message += " (server: " + last_reply + ")";
  return r;
}

}  // namespace frontdesk
