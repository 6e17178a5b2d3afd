#include "admin/routes.h"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace frontdesk
