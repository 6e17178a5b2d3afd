// smtp_client.h: submits one message over SMTP with libcurl: smtp:// with
// STARTTLS required or tried, or smtps://; AUTH when a user is set; a
// timeout. The result says whether a failure is permanent (a 5xx answer:
// sending again would not help) and carries the server's last words.
// Not thread-safe: one client per sending thread.
#pragma once

#include <chrono>
#include <string>

namespace frontdesk {

struct SmtpSettings {
  std::string url;             // smtp://host:587 or smtps://host:465
  std::string tls = "starttls";  // starttls (required), opportunistic, none
  std::string user, password;
  std::string ca_file;
  std::chrono::seconds timeout{30};
};

struct SmtpResult {
  bool ok = false;
  bool permanent = false;  // a 5xx: marked failed, not retried
  long code = 0;           // the server's last reply code, 0 when it never answered
  std::string message;     // for the outbox row and the logs
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpSettings settings);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  SmtpResult Send(const std::string& envelope_from, const std::string& recipient, const std::string& message);

 private:
  SmtpSettings settings_;
  void* curl_;  // CURL*; the connection is kept between messages
};

}  // namespace frontdesk
