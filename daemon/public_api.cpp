#include "daemon/public_api.h"

#include <nlohmann/json.hpp>

#include "daemon/daemon.h"
#include "daemon/http_server.h"

namespace frontdesk {

void RegisterPublicRoutes(httplib::Server& server, Daemon& daemon) {
  // Says only whether the service can take a ticket now: the database answers.
  server.Get("/healthz", [&daemon](const httplib::Request&, httplib::Response& res) {
    Result<StorePool::Lease> store = daemon.stores().Acquire();
    Status s = store.ok() ? (*store)->SchemaVersion().status() : store.status();
    if (!s.ok()) {
      res.status = 503;
      res.set_content(R"({"status":"unavailable"})", "application/json");
      return;
    }
    res.set_content(R"({"status":"ok"})", "application/json");
  });
}

}  // namespace frontdesk
