#include "console/auth.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

httplib::Request Post(std::initializer_list<std::pair<const char*, const char*>> headers) {
  httplib::Request req;
  req.method = "POST";
  for (const auto& [k, v] : headers) req.headers.emplace(k, v);
  return req;
}

TEST_CASE("a form must come from the console's own origin", "[console][auth]") {
  std::string why;
  CHECK(ConsoleAuth::SameOrigin(Post({{"Sec-Fetch-Site", "same-origin"}, {"Host", "desk.example"}}), &why));
  CHECK(ConsoleAuth::SameOrigin(Post({{"Sec-Fetch-Site", "none"}}), &why));  // typed or bookmarked
  CHECK_FALSE(ConsoleAuth::SameOrigin(Post({{"Sec-Fetch-Site", "cross-site"}}), &why));
  CHECK(why == "Sec-Fetch-Site is cross-site");
  CHECK_FALSE(ConsoleAuth::SameOrigin(Post({{"Sec-Fetch-Site", "same-site"}}), &why));  // a sibling subdomain
  // Older browsers send only Origin; behind nginx with TLS the scheme
  // differs from the daemon's, the host does not.
  CHECK(ConsoleAuth::SameOrigin(Post({{"Origin", "https://desk.example"}, {"Host", "desk.example"}}), &why));
  CHECK_FALSE(ConsoleAuth::SameOrigin(Post({{"Origin", "https://evil.example"}, {"Host", "desk.example"}}), &why));
  CHECK(why == "Origin https://evil.example is not this console");
  CHECK_FALSE(ConsoleAuth::SameOrigin(Post({{"Origin", "null"}, {"Host", "desk.example"}}), &why));
  // No browser signal at all (a script): the CSRF token alone decides.
  CHECK(ConsoleAuth::SameOrigin(Post({}), &why));
}

}  // namespace
}  // namespace frontdesk
