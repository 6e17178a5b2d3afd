// smtp_client.h: submits one message over SMTP with libcurl: smtp:// with
// STARTTLS required or tried, or smtps://; AUTH when a user is set; a
// timeout. The result says whether a failure is permanent (a 5xx answer:
// sending again would not help) and carries the reply that refused the mail,
// every line as the server wrote it.
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
  long code = 0;           // the code of the server's last reply (never QUIT's), 0 when it never answered
  // Sent: the server's final answer ("250 2.0.0 Ok: queued as 4F2A1"), for
  // the log. Refused: that reply's lines joined by "; " ("550 5.1.1
  // <ann@example.org>: User unknown"). Otherwise libcurl's error.
  std::string message;
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
