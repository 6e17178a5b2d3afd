#include "daemon/intake/agent_proof.h"

#include <vector>

#include "daemon/base/text.h"
#include "daemon/mail/signature.h"
#include "daemon/store/outbox_store.h"

namespace frontdesk {
namespace {

// The header's text without (comments), which RFC 8601 allows anywhere.
std::string WithoutComments(std::string_view v) {
  std::string out;
  int depth = 0;
  for (char c : v) {
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view v, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t end = v.find(sep, start);
    out.push_back(Trim(v.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string DomainOf(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos ? "" : AsciiLower(address.substr(at + 1));
}

}  // namespace

std::string TrustedDmarcResult(const ParsedMail& m, const std::string& authserv_id) {
  if (authserv_id.empty()) return "";
  for (const auto& [name, value] : m.headers) {
    if (AsciiLower(name) != "authentication-results") continue;
    // Only the topmost one: the box's MTA prepends its own.
    std::string text = WithoutComments(value);
    std::vector<std::string_view> parts = Split(text, ';');
    std::string_view id = parts.front().substr(0, parts.front().find_first_of(" \t"));
    if (AsciiLower(id) != AsciiLower(authserv_id)) return "";
    std::string from_domain = DomainOf(m.from.address);
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string result, header_from;
      for (std::string_view token : Split(parts[i], ' ')) {
        std::string t = AsciiLower(token);
        if (t.rfind("dmarc=", 0) == 0) result = t.substr(6);
        if (t.rfind("header.from=", 0) == 0) header_from = t.substr(12);
      }
      if (!result.empty() && header_from == from_domain) return result;
    }
    return "";
  }
  return "";
}

bool SenderVerified(const ParsedMail& m, const Config& config) {
  return TrustedDmarcResult(m, config.mail.trusted_authserv_id) == "pass";
}

Result<AgentProof> ProveAgent(Store& store, const ParsedMail& m, const Ticket& ticket, const std::string& agent,
                              const Config& config, const std::string& secret) {
  std::vector<std::string> ids;
  if (!m.in_reply_to.empty()) ids.push_back(m.in_reply_to);
  ids.insert(ids.end(), m.references.begin(), m.references.end());
  OutboxStore outbox(store);
  for (const std::string& id : ids) {
    // The signature first: most ids are not ours, and a forged one costs
    // no query.
    std::optional<int64_t> signed_ticket = VerifyMessageId(secret, id);
    if (!signed_ticket || *signed_ticket != ticket.id) continue;
    Result<std::optional<int64_t>> sent = outbox.TicketSentTo(MessageIdLocalPart(id), AsciiLower(agent));
    if (!sent.ok()) return sent.status();
    if (*sent && **sent == ticket.id) {
      return AgentProof{true, "it answers <" + MessageIdLocalPart(id) + ">, which Frontdesk sent to " + agent,
                        /*answers_our_mail=*/true};
    }
  }
  const std::string& authserv = config.mail.trusted_authserv_id;
  if (!authserv.empty() && TrustedDmarcResult(m, authserv) == "pass") {
    return AgentProof{true, "dmarc=pass for " + DomainOf(agent) + " from " + authserv};
  }
  return AgentProof{false, "it answers no mail Frontdesk sent to " + agent + " about ticket " +
                               std::to_string(ticket.id)};
}

}  // namespace frontdesk
