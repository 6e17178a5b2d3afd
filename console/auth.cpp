#include "console/auth.h"

#include <spdlog/spdlog.h>

#include "config/values.h"
#include "daemon/base/password.h"
#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/store/agent_store.h"
#include "daemon/web/http_input.h"

namespace frontdesk {
namespace {

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  std::string header = req.get_header_value("Cookie");
  std::string_view rest = header;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view part = Trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return "";
}

std::string SessionCookie(const std::string& secret) {
  return std::string(kSessionCookie) + "=" + secret + "; Path=/; Secure; HttpOnly; SameSite=Lax";
}

std::string HostOf(std::string_view origin) {
  size_t scheme = origin.find("://");
  return std::string(scheme == std::string_view::npos ? origin : origin.substr(scheme + 3));
}

}  // namespace

Result<std::string> NewPasswordHash(const Config& config, const std::string& agent, std::string_view password) {
  if (!config.IsAgent(agent)) {
    return Status::Invalid(agent + " is not an agent of any queue; add it to a queue's agents in the config first");
  }
  std::string problem = PasswordProblem(password);
  if (!problem.empty()) return Status::Invalid("the password " + problem + "; nothing was changed");
  return HashPassword(password);
}

Result<int64_t> ReplacePassword(Store& store, const std::string& agent, const std::string& hash, Timestamp now) {
  AgentStore agents(store);
  Status set = agents.SetPassword(agent, hash, now);
  if (!set.ok()) return set;
  return agents.EndSessions(agent);
}

namespace {
std::string Decoy() {
  Result<std::string> h = HashPassword(RandomToken(24));
  return h.ok() ? *h : "";
}
}  // namespace

ConsoleAuth::ConsoleAuth(ServeContext& ctx) : ctx_(ctx), decoy_(Decoy()), proxy_key_(RandomToken(32)) {}

std::optional<SignedIn> ConsoleAuth::FromProxy(const httplib::Request& req, const Config& config) const {
  const std::string& header = config.console.trusted_proxy_header;
  if (header.empty() || !req.has_header(header)) return std::nullopt;
  // Only a proxy on this machine may vouch; from anywhere else the header
  // is anyone's to forge.
  if (req.remote_addr != "127.0.0.1" && req.remote_addr != "::1") return std::nullopt;
  Result<std::string> agent = ParseMailAddress(req.get_header_value(header));
  if (!agent.ok() || !config.IsAgent(*agent)) return std::nullopt;
  SignedIn who;
  who.agent = *agent;
  who.admin = config.IsConsoleAdmin(*agent);
  // No session row: the form token is derived from a key this daemon made
  // at start, so forms loaded before a restart ask to be reloaded.
  who.csrf = Base64UrlEncode(HmacSha256Raw(proxy_key_, "csrf\n" + *agent).substr(0, 24));
  return who;
}

Result<std::optional<SignedIn>> ConsoleAuth::Who(const httplib::Request& req) {
  if (std::optional<SignedIn> proxied = FromProxy(req, *ctx_.config())) return proxied;
  std::string secret = CookieValue(req, kSessionCookie);
  if (secret.empty() || secret.size() > 100) return std::optional<SignedIn>();
  const std::string id_hash = Sha256Hex(secret);
  Result<StorePool::Lease> store = ctx_.stores.Acquire();
  if (!store.ok()) return store.status();
  Result<std::optional<ConsoleSession>> s = AgentStore(**store).FindSession(id_hash);
  if (!s.ok()) return s.status();
  if (!*s) return std::optional<SignedIn>();
  std::shared_ptr<const Config> config = ctx_.config();
  const Timestamp now = ctx_.clock.Now();
  const ConsoleConfig& c = config->console;
  bool expired = now - (*s)->last_seen_at > c.idle_timeout || now - (*s)->created_at > c.max_age;
  // An agent taken off every queue is out at once, whatever the session.
  if (expired || !config->IsAgent((*s)->agent)) {
    (void)ctx_.writer.Run([&](Store& st) { return AgentStore(st).EndSession(id_hash).status(); });
    return std::optional<SignedIn>();
  }
  // Seen-at is written at most once a minute: a page view should not be a write.
  if (now - (*s)->last_seen_at > std::chrono::minutes(1)) {
    (void)ctx_.writer.Run([&](Store& st) { return AgentStore(st).TouchSession(id_hash, now); });
  }
  SignedIn who;
  who.agent = (*s)->agent;
  who.admin = config->IsConsoleAdmin(who.agent);
  who.csrf = (*s)->csrf;
  who.id_hash = id_hash;
  return std::optional<SignedIn>(who);
}

LoginOutcome ConsoleAuth::Login(const httplib::Request& req, const std::string& email_in,
                                const std::string& password) {
  LoginOutcome out;
  std::shared_ptr<const Config> config = ctx_.config();
  const std::string address = ClientAddress(req, config->server.trusted_proxies);
  const Timestamp now = ctx_.clock.Now();
  Result<std::string> parsed = ParseMailAddress(email_in);
  const std::string email = parsed.ok() ? *parsed : AsciiLower(std::string(Trim(email_in)).substr(0, 254));
  out.wait = throttle_.WaitFor(address, email, now);
  if (out.wait.count() > 0) {
    spdlog::warn("console login throttled for {} from {}: {} s to wait", email, address, out.wait.count());
    out.error = "Too many failed logins. Try again in " + std::to_string(out.wait.count()) + " seconds.";
    return out;
  }
  std::optional<std::string> hash;
  if (parsed.ok() && config->IsAgent(email)) {
    Result<StorePool::Lease> store = ctx_.stores.Acquire();
    if (!store.ok()) {
      out.error = "The database cannot be read just now; try again in a moment.";
      return out;
    }
    Result<std::optional<std::string>> h = AgentStore(**store).PasswordHash(email);
    if (h.ok()) hash = *h;
  }
  // The same Argon2id work whether or not the account exists.
  bool good = VerifyPassword(hash.value_or(decoy_), password) && hash.has_value() &&
              password.size() <= kMaxPasswordBytes;
  if (!good) {
    // After the hashing: the wait runs from the answer, not from the question.
    throttle_.Failed(address, email, ctx_.clock.Now());
    spdlog::warn("console login failed for {} from {}", email, address);
    out.error = "The address or the password is not right.";
    return out;
  }
  throttle_.Succeeded(address, email);
  const std::string secret = RandomToken(32);
  ConsoleSession s;
  s.id_hash = Sha256Hex(secret);
  s.agent = email;
  s.csrf = RandomToken(24);
  s.created_at = s.last_seen_at = now;
  s.address = address;
  s.user_agent = req.get_header_value("User-Agent").substr(0, 200);
  std::optional<std::string> rehash;
  if (PasswordNeedsRehash(*hash)) {
    Result<std::string> h = HashPassword(password);
    if (h.ok()) rehash = *h;
  }
  Status st = ctx_.writer.Run([&](Store& store) -> Status {
    AgentStore agents(store);
    Result<int64_t> ended = agents.EndExpired(now - config->console.idle_timeout, now - config->console.max_age);
    if (!ended.ok()) return ended.status();
    if (rehash) {
      Status r = agents.SetPassword(email, *rehash, now);
      if (!r.ok()) return r;
    }
    return agents.AddSession(s);
  });
  if (!st.ok()) {
    out.error = "The session could not be saved; try again in a moment.";
    return out;
  }
  spdlog::info("console login for {} from {}", email, address);
  out.who = SignedIn{email, config->IsConsoleAdmin(email), s.csrf, s.id_hash};
  out.cookie = SessionCookie(secret);
  return out;
}

Result<std::string> ConsoleAuth::Logout(const SignedIn& who, bool everywhere) {
  if (who.id_hash.empty() && !everywhere) {
    return Status::Invalid("you are signed in by the proxy in front of the console; log out there");
  }
  Status s = ctx_.writer.Run([&](Store& store) -> Status {
    AgentStore agents(store);
    return (everywhere ? agents.EndSessions(who.agent) : agents.EndSession(who.id_hash)).status();
  });
  if (!s.ok()) return s;
  spdlog::info("console logout for {}{}", who.agent, everywhere ? " (every session)" : "");
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0";
}

bool ConsoleAuth::SameOrigin(const httplib::Request& req, std::string* why) {
  // Browsers send Sec-Fetch-Site; older ones only Origin on a POST.
  if (req.has_header("Sec-Fetch-Site")) {
    std::string site = req.get_header_value("Sec-Fetch-Site");
    if (site == "same-origin" || site == "none") return true;
    *why = "Sec-Fetch-Site is " + site.substr(0, 40);
    return false;
  }
  if (req.has_header("Origin")) {
    std::string origin = req.get_header_value("Origin");
    if (HostOf(origin) == req.get_header_value("Host")) return true;
    *why = "Origin " + origin.substr(0, 100) + " is not this console";
    return false;
  }
  return true;  // no browser signal at all: the CSRF token alone decides
}

namespace {

// The form's CSRF token, from its body only: a token in the URL leaks into
// logs, histories and Referer headers, and a link could carry it.
std::string FormCsrfToken(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  if (MediaTypeIs(ct, "multipart/form-data")) {
    return req.has_file("csrf") ? req.get_file_value("csrf").content : "";
  }
  if (!MediaTypeIs(ct, "application/x-www-form-urlencoded")) return "";
  httplib::Params fields;
  httplib::detail::parse_query_text(req.body, fields);
  auto it = fields.find("csrf");
  return it == fields.end() ? "" : it->second;
}

}  // namespace

bool ConsoleAuth::PostAllowed(const httplib::Request& req, const SignedIn& who, std::string* why) const {
  if (!SameOrigin(req, why)) return false;
  std::string token = FormCsrfToken(req);
  if (token.empty() || !ConstantTimeEquals(token, who.csrf)) {
    *why = token.empty() ? "the form has no CSRF token" : "the form's CSRF token is not this session's";
    return false;
  }
  return true;
}

}  // namespace frontdesk
