#include "daemon/web/http_server.h"

#include <catch2/catch.hpp>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

namespace frontdesk {
namespace {

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

TEST_CASE("a handler that throws gets a JSON 500 and the server keeps serving", "[http]") {
  HttpServerOptions o;
  o.listen = {"127.0.0.1", FreePort()};
  o.threads = 2;
  Metrics metrics;
  HttpServer server("test", o, &metrics);
  server.Get("/boom", "/boom", [](const httplib::Request&, httplib::Response&) {
    throw std::runtime_error("library failure");
  });
  server.Get("/ok", "/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("fine", "text/plain");
  });
  REQUIRE(server.Bind().ok());
  server.Start();
  httplib::Client cli("127.0.0.1", o.listen.port);
  auto r = cli.Get("/boom");
  REQUIRE(r);
  CHECK(r->status == 500);
  nlohmann::json body = nlohmann::json::parse(r->body);
  CHECK(body["error"]["code"] == "internal");
  CHECK(body["error"]["message"].get<std::string>().rfind("internal error; the server log has id ", 0) == 0);
  auto ok = cli.Get("/ok");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  auto missing = cli.Get("/nowhere");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(nlohmann::json::parse(missing->body)["error"]["code"] == "not_found");
  server.Stop();
  std::string text = metrics.Render("");
  CHECK(text.find("route=\"/boom\",method=\"GET\",code=\"500\"} 1") != std::string::npos);
  CHECK(text.find("route=\"unmatched\",method=\"GET\",code=\"404\"} 1") != std::string::npos);
}

TEST_CASE("a port in use is an error at Bind, not a second listener", "[http]") {
  HttpServerOptions o;
  o.listen = {"127.0.0.1", FreePort()};
  HttpServer first("first", o);
  REQUIRE(first.Bind().ok());
  HttpServer second("second", o);
  Status s = second.Bind();
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == "second listener: cannot listen on " + o.listen.ToString() + ": Address already in use");
}

}  // namespace
}  // namespace frontdesk
