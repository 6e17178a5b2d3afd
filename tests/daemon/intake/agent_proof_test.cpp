#include "daemon/intake/agent_proof.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

ParsedMail WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  ParsedMail m;
  m.from.address = "agent@example.test";
  m.headers = std::move(headers);
  return m;
}

TEST_CASE("only the topmost Authentication-Results of the trusted host counts", "[intake][proof]") {
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> headers;
    const char* result;
  };
  const Case cases[] = {
      {"a pass from our MTA", {{"Authentication-Results", "mx.example.test; dmarc=pass header.from=example.test"}},
       "pass"},
      {"comments, folding and case are read as the RFC allows",
       {{"authentication-results",
         "MX.Example.Test 1; spf=pass smtp.mailfrom=example.test;\r\n dkim=pass (good) header.d=example.test;"
         " DMARC=pass (p=reject dis=none) header.from=Example.Test"}},
       "pass"},
      {"a fail", {{"Authentication-Results", "mx.example.test; dmarc=fail header.from=example.test"}}, "fail"},
      {"another host's header", {{"Authentication-Results", "mx.evil.example; dmarc=pass header.from=example.test"}},
       ""},
      {"a pass for another domain",
       {{"Authentication-Results", "mx.example.test; dmarc=pass header.from=evil.example"}}, ""},
      {"a pass below our MTA's own header was written by the sender",
       {{"Authentication-Results", "mx.example.test; dmarc=none header.from=example.test"},
        {"Authentication-Results", "mx.example.test; dmarc=pass header.from=example.test"}},
       "none"},
      {"a pass hidden in a comment", {{"Authentication-Results", "mx.example.test; (dmarc=pass header.from=example.test)"}},
       ""},
      {"no header at all", {}, ""},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(TrustedDmarcResult(WithHeaders(c.headers), "mx.example.test") == c.result);
  }
  // Nothing is trusted unless the operator names the host.
  CHECK(TrustedDmarcResult(WithHeaders(cases[0].headers), "").empty());
}

}  // namespace
}  // namespace frontdesk
