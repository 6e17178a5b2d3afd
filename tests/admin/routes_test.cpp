#include "admin/routes.h"

#include <catch2/catch.hpp>

#include "admin/api_util.h"

#include <map>
#include <set>
#include <string>
#include <utility>

namespace frontdesk {
namespace {

// The scope every admin route needs. A route added to the table without a
// line here fails, so its scope is a decision, not an accident.
TEST_CASE("every admin route needs the scope it was given", "[admin][routes]") {
  const std::map<std::pair<std::string, std::string>, Scope> expected = {
      {{"GET", "/healthz"}, Scope::kRead},
      {{"GET", "/metrics"}, Scope::kRead},
      {{"GET", "/api/v1/tickets"}, Scope::kRead},
      {{"POST", "/api/v1/tickets"}, Scope::kWrite},
      {{"GET", "/api/v1/tickets/{id}"}, Scope::kRead},
      {{"PATCH", "/api/v1/tickets/{id}"}, Scope::kWrite},
      {{"POST", "/api/v1/tickets/{id}/messages"}, Scope::kWrite},
      {{"GET", "/api/v1/tickets/{id}/attachments/{aid}"}, Scope::kRead},
      {{"GET", "/api/v1/rejections"}, Scope::kRead},
      {{"GET", "/api/v1/outbox"}, Scope::kRead},
      {{"GET", "/api/v1/bounces"}, Scope::kRead},
      {{"DELETE", "/api/v1/bounces/{address}"}, Scope::kWrite},
      {{"GET", "/api/v1/customers"}, Scope::kRead},
      {{"DELETE", "/api/v1/customers/{email}/watch"}, Scope::kWrite},
      {{"GET", "/api/v1/reports/kpi"}, Scope::kRead},
      {{"GET", "/api/v1/reports/standards"}, Scope::kRead},
      {{"POST", "/api/v1/escalations/run"}, Scope::kWrite},
      {{"POST", "/api/v1/config/reload"}, Scope::kAdmin},
  };
  std::set<std::pair<std::string, std::string>> seen;
  for (const AdminRoute& r : AdminRoutes()) {
    std::pair<std::string, std::string> key{r.method, r.metric_path};
    INFO(r.method << " " << r.metric_path);
    CHECK(seen.insert(key).second);  // each route once
    auto it = expected.find(key);
    REQUIRE(it != expected.end());
    CHECK(r.scope == it->second);
    CHECK(r.handler != nullptr);
    // Every write changes state: none may need only read.
    if (std::string(r.method) != "GET") CHECK(r.scope != Scope::kRead);
  }
  CHECK(seen.size() == expected.size());
}

// If-None-Match as RFC 9110 13.1.2 reads it for GET: weak comparison, a
// list, "*"; a garbled element matches nothing rather than failing.
TEST_CASE("If-None-Match matches an ETag as RFC 9110 says for GET", "[admin][etag]") {
  struct Row {
    const char* field;
    const char* etag;
    bool match;
  };
  const Row rows[] = {
      {"\"7\"", "\"7\"", true},
      {"W/\"7\"", "\"7\"", true},           // weak comparison
      {"\"7\"", "W/\"7\"", true},
      {"*", "\"7\"", true},
      {"  *  ", "\"7\"", true},
      {"\"6\", \"7\"", "\"7\"", true},      // any tag of a list
      {"\"6\",W/\"7\"", "\"7\"", true},
      {" , \"6\" ,, \"7\" ,", "\"7\"", true},  // empty elements and spaces
      {"\"a,b\", \"7\"", "\"7\"", true},     // a comma inside a tag
      {"\"a,b\"", "\"a,b\"", true},
      {"junk, \"7\"", "\"7\"", true},        // a garbled element is skipped
      {"\"6\"", "\"7\"", false},
      {"\"77\"", "\"7\"", false},
      {"7", "\"7\"", false},                 // not quoted
      {"w/\"7\"", "\"7\"", false},           // W/ is case-sensitive
      {"\"7", "\"7\"", false},                // unterminated
      {"\"7\"x", "\"7\"", false},            // junk after the tag
      {"W/*", "\"7\"", false},
      {"*, \"6\"", "\"7\"", false},          // * only stands alone
      {"", "\"7\"", false},
      {"\"\"", "\"7\"", false},
  };
  for (const Row& r : rows) {
    INFO(r.field << " vs " << r.etag);
    CHECK(IfNoneMatchMatches(r.field, r.etag) == r.match);
  }
}

TEST_CASE("a body's ETag is strong, quoted and moves with any byte", "[admin][etag]") {
  std::string a = BodyETag(R"({"tickets":[],"next_cursor":null})");
  CHECK(a == BodyETag(R"({"tickets":[],"next_cursor":null})"));
  CHECK(a.size() == 34);
  CHECK(a.front() == '"');
  CHECK(a.back() == '"');
  CHECK(a.find_first_not_of("0123456789abcdef", 1) == 33);
  CHECK(a != BodyETag(R"({"tickets":[],"next_cursor":nulm})"));
  CHECK(BodyETag("") == "\"e3b0c44298fc1c149afbf4c8996fb924\"");  // SHA-256 of nothing
}

}  // namespace
}  // namespace frontdesk
