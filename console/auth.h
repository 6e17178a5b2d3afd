// auth.h: who is using the console. An agent logs in with the password
// `frontdesk agent password` set; the session is a random secret in a
// cookie (__Host-, Secure, HttpOnly, SameSite=Lax), of which the database
// keeps only the SHA-256. A new secret is made at every login, a session
// ends when idle for [console] idle_timeout or max_age after its login,
// and "log out everywhere" ends all of an agent's sessions. Every POST
// must carry the session's CSRF token and come from the console's own
// origin. Logins are throttled (login_throttle.h); an unknown account costs
// the same hashing as a known one, and every failure is logged in one
// fail2ban-friendly line. Behind a reverse proxy that authenticates people
// itself (SSO), [console] trusted_proxy_header names the agent instead,
// believed only from a loopback peer. Thread-safe.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "console/login_throttle.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {

inline constexpr const char* kSessionCookie = "__Host-frontdesk_session";

// The agent behind a request.
struct SignedIn {
  std::string agent;
  bool admin = false;
  std::string csrf;     // the token this session's forms carry
  std::string id_hash;  // the session's row; empty when a proxy vouched
};

struct LoginOutcome {
  std::optional<SignedIn> who;    // set when the password was right
  std::string cookie;             // the Set-Cookie value then
  std::chrono::seconds wait{0};   // when throttled: how long before another try
  std::string error;              // what to show otherwise
};

// An agent's new password, checked (an agent of some queue, and
// PasswordProblem) and hashed: outside any write, since the hashing takes
// a fraction of a second. Errors say what to change.
Result<std::string> NewPasswordHash(const Config& config, const std::string& agent, std::string_view password);
// Stores it and ends every session of the agent (a new password is often
// the answer to a leak); returns how many ended. Inside a write.
Result<int64_t> ReplacePassword(Store& store, const std::string& agent, const std::string& hash, Timestamp now);

class ConsoleAuth {
 public:
  explicit ConsoleAuth(ServeContext& ctx);

  // The signed-in agent of a request, or none (no cookie, an unknown or
  // expired session, or an address no longer an agent).
  Result<std::optional<SignedIn>> Who(const httplib::Request& req);
  LoginOutcome Login(const httplib::Request& req, const std::string& email, const std::string& password);
  // Ends this session, or all of the agent's; returns the cookie that
  // clears it in the browser.
  Result<std::string> Logout(const SignedIn& who, bool everywhere);
  // Whether a POST of `who` may act: the form's csrf field matches and the
  // browser says it comes from this origin. `why` says what failed.
  bool PostAllowed(const httplib::Request& req, const SignedIn& who, std::string* why) const;
  // The Origin / Sec-Fetch-Site half alone, for the login form.
  static bool SameOrigin(const httplib::Request& req, std::string* why);

 private:
  // The agent a trusted reverse proxy names ([console]
  // trusted_proxy_header), from a loopback peer only.
  std::optional<SignedIn> FromProxy(const httplib::Request& req, const Config& config) const;

  ServeContext& ctx_;
  LoginThrottle throttle_;
  const std::string decoy_;      // the hash checked for an unknown account
  const std::string proxy_key_;  // derives proxy-signed-in agents' CSRF tokens
};

}  // namespace frontdesk
