#include "daemon/web/http_server.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "daemon/base/thread_pool.h"
#include "daemon/base/unique_fd.h"

namespace frontdesk {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

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
  CHECK(body["error"]["message"].get<std::string>().rfind("internal error; the server log has id ",
                                                          0) == 0);
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
  CHECK(s.message() ==
        "second listener: cannot listen on " + o.listen.ToString() + ": Address already in use");
}

// ---------------------------------------------------------------------------
// The gate: what a slow, silent, idle or oversized client can and cannot do.

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// One client socket that speaks raw bytes, so a test can stop half-way
// through a request as an attacker does.
class RawClient {
 public:
  explicit RawClient(int port, const char* source = "127.0.0.1")
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    bind(fd_.get(), reinterpret_cast<sockaddr*>(&from), sizeof from);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  bool connected() const { return connected_; }
  // False once the server has closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // What arrives until `until` has been seen, the server closes, or
  // `timeout` passes.
  std::string Read(std::string_view until = {}, milliseconds timeout = milliseconds(5000)) {
    auto deadline = Clock::now() + timeout;
    while (until.empty() || got_.find(until) == std::string::npos) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_.get(), POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char buf[4096];
      ssize_t n = recv(fd_.get(), buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got_.append(buf, static_cast<size_t>(n));
    }
    return got_;
  }
  // Whether the server has answered or closed, without waiting.
  bool Answered() {
    pollfd p{fd_.get(), POLLIN, 0};
    return poll(&p, 1, 0) > 0;
  }
  // Sends a byte every 100 ms until the server answers or closes, or 3 s pass.
  void Drip() {
    auto start = Clock::now();
    while (!Answered() && SecondsSince(start) < 3) {
      std::this_thread::sleep_for(milliseconds(100));
      if (!Send("x")) break;
    }
  }
  // Reads everything until the server closes; true if it did within `timeout`.
  bool ClosedWithin(milliseconds timeout) {
    Read({}, timeout);
    return closed_;
  }
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string got_;
};

std::string GetRequest(std::string_view path = "/ok") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

// Three GETs in a row, each answered within a second.
void CheckServedPromptly(int port) {
  for (int round = 0; round < 3; ++round) {
    auto start = Clock::now();
    RawClient client(port);
    client.Send(GetRequest());
    CHECK(client.Read("fine").find("200 OK") != std::string::npos);
    CHECK(SecondsSince(start) < 1.0);
  }
}

HttpServerOptions TightOptions() {
  HttpServerOptions o;
  o.listen = {"127.0.0.1", FreePort()};
  o.threads = 1;
  o.max_threads = 1;
  o.max_pending = 4;
  o.max_connections = 64;
  o.max_connections_per_address = 64;
  o.max_header_bytes = 4096;
  o.buffered_body_bytes = 1024;
  o.max_body_bytes = 8192;
  return o;
}

// Holds the worker that serves GET /hold until Release().
class Hold {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(m_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
  }
  // Until a worker is held.
  void Holding() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(m_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool released_ = false;
};

std::unique_ptr<HttpServer> Serving(const HttpServerOptions& o, Metrics* metrics = nullptr,
                                    Hold* hold = nullptr) {
  auto server = std::make_unique<HttpServer>("test", o, metrics);
  server->Get("/ok", "/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("fine", "text/plain");
  });
  server->Post("/echo", "/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.body.size()), "text/plain");
  });
  server->Get("/hold", "/hold", [hold](const httplib::Request&, httplib::Response& res) {
    if (hold) hold->Wait();
    res.set_content("held", "text/plain");
  });
  REQUIRE(server->Bind().ok());
  server->Start();
  return server;
}

TEST_CASE("the gate's own answers are complete HTTP with a JSON error", "[http][gate]") {
  std::string busy = GateAnswer(503);
  CHECK(busy.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(busy.find("\r\nRetry-After: 5\r\n") != std::string::npos);
  CHECK(busy.find("\r\nConnection: close\r\n") != std::string::npos);
  std::string big = GateAnswer(431);
  std::string body = big.substr(big.find("\r\n\r\n") + 4);
  CHECK(big.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
  CHECK(nlohmann::json::parse(body)["error"]["code"] == "too_large");
  CHECK(GateAnswer(431).find("Retry-After") == std::string::npos);
}

TEST_CASE("the pool refuses work once its threads are busy and its queue is full", "[http][pool]") {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> ran{0};
  auto blocker = [&] {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return release; });
    ++ran;
  };
  ElasticThreadPool pool(1, 2, 1);
  REQUIRE(pool.TryEnqueue(blocker));
  REQUIRE(pool.TryEnqueue(blocker));  // a second thread starts
  REQUIRE(pool.TryEnqueue(blocker));  // waits: the one place in the queue
  CHECK_FALSE(pool.TryEnqueue(blocker));
  {
    std::lock_guard<std::mutex> lock(m);
    release = true;
  }
  cv.notify_all();
  pool.Shutdown();
  CHECK(ran == 3);
  CHECK_FALSE(pool.TryEnqueue(blocker));
}

TEST_CASE("slow, silent and idle clients hold no thread: a request is answered beside them",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();  // a single worker thread
  auto server = Serving(o);
  std::vector<std::unique_ptr<RawClient>> attackers;
  for (int i = 0; i < 30; ++i) {
    auto c = std::make_unique<RawClient>(o.listen.port);
    REQUIRE(c->connected());
    if (i % 3 == 0) c->Send("GET /ok HTTP/1.1\r\nHost: t\r\nX-Slow: ");  // half a head
    if (i % 3 == 1)
      c->Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\nabc");  // half a small body
    if (i % 3 == 2) {  // idle between keep-alive requests
      c->Send(GetRequest());
      c->Read("fine");
    }
    attackers.push_back(std::move(c));
  }
  CheckServedPromptly(o.listen.port);
  // The slow one finishes its body and is served as well.
  attackers[1]->Send(std::string(497, 'x'));
  CHECK(attackers[1]->Read("500").find("200 OK") != std::string::npos);
}

TEST_CASE("a head over max_header_bytes is answered 431 at once, however long it goes on",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  Metrics metrics;
  auto server = Serving(o, &metrics);
  RawClient client(o.listen.port);
  auto start = Clock::now();
  client.Send("GET /ok HTTP/1.1\r\nX-Big: " + std::string(3000, 'a') +
              "\r\nX-More: " + std::string(3000, 'b'));
  std::string answer = client.Read("}}");
  CHECK(answer.rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK(SecondsSince(start) < 1.0);
  // A line that never ends is cut off at the cap too.
  RawClient endless(o.listen.port);
  std::string chunk(1024, 'z');
  bool open = true;
  for (int i = 0; i < 64 && open; ++i) open = endless.Send(chunk);
  CHECK(endless.Read("}}").rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK(endless.ClosedWithin(milliseconds(3000)));
  server->Stop();
  CHECK(
      metrics.Render("").find("frontdesk_http_refused_total{reason=\"test:header_too_large\"} 2") !=
      std::string::npos);
}

TEST_CASE("a Content-Length over the cap is answered 413 before the body is sent", "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.read_timeout = std::chrono::seconds(10);
  auto server = Serving(o);
  RawClient client(o.listen.port);
  auto start = Clock::now();
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8193\r\n\r\n");
  std::string answer = client.Read("}}");
  CHECK(answer.rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(SecondsSince(start) < 1.0);
  // At the cap it is read and served.
  RawClient fits(o.listen.port);
  fits.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8192\r\n\r\n" +
            std::string(8192, 'x'));
  CHECK(fits.Read("8192").find("200 OK") != std::string::npos);
}

TEST_CASE("a chunked body over the body cap is answered 413", "[http][gate]") {
  HttpServerOptions o = TightOptions();
  auto server = Serving(o);
  RawClient client(o.listen.port);
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "400\r\n" + std::string(1024, 'c') + "\r\n";
  for (int i = 0; i < 9; ++i) client.Send(chunk);
  client.Send("0\r\n\r\n");
  CHECK(client.Read("\r\n\r\n").rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(client.ClosedWithin(milliseconds(3000)));
}

TEST_CASE("a head that takes longer than header_timeout is answered 408 and closed",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.header_timeout = std::chrono::seconds(1);
  auto server = Serving(o);
  RawClient client(o.listen.port);
  auto start = Clock::now();
  client.Send("GET /ok HTTP/1.1\r\nX-Slow: ");
  client.Drip();
  CHECK(SecondsSince(start) < 2.0);
  CHECK(client.Read("}}").rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(client.ClosedWithin(milliseconds(3000)));
}

TEST_CASE("a large body sent slowly past request_timeout is answered 408, and holds no thread",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();  // a single worker thread
  o.header_timeout = std::chrono::seconds(1);
  o.request_timeout = std::chrono::seconds(1);
  o.buffered_body_bytes = 0;  // every body reserves its room
  auto server = Serving(o);
  RawClient client(o.listen.port);
  auto start = Clock::now();
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
  // While it drips, the one worker serves others.
  RawClient beside(o.listen.port);
  beside.Send(GetRequest());
  CHECK(beside.Read("fine").find("200 OK") != std::string::npos);
  client.Drip();
  CHECK(SecondsSince(start) < 2.0);
  CHECK(client.Read("}}").find("HTTP/1.1 408 ") != std::string::npos);
  CHECK(client.ClosedWithin(milliseconds(3000)));
  RawClient next(o.listen.port);
  next.Send(GetRequest());
  CHECK(next.Read("fine").find("200 OK") != std::string::npos);
}

TEST_CASE("when every thread is busy and the queue is full the answer is 503 with Retry-After",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.max_pending = 0;
  Hold hold;
  auto server = Serving(o, nullptr, &hold);
  RawClient holder(o.listen.port);  // holds the one worker
  holder.Send(GetRequest("/hold"));
  hold.Holding();
  RawClient client(o.listen.port);
  client.Send(GetRequest());
  std::string answer = client.Read("}}");
  CHECK(answer.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(answer.find("\r\nRetry-After: 5\r\n") != std::string::npos);
  hold.Release();
  CHECK(holder.Read("held").find("200 OK") != std::string::npos);
  // The thread is free again once it has handed the connection back.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    RawClient after(o.listen.port);
    after.Send(GetRequest());
    served = after.Read("fine").find("200 OK") != std::string::npos;
    if (!served) std::this_thread::sleep_for(milliseconds(20));
  }
  CHECK(served);
}

TEST_CASE("one address may hold max_connections_per_address; listed addresses are not counted",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.max_connections_per_address = 2;
  o.unlimited_addresses = {"127.0.0.3"};
  auto server = Serving(o);
  RawClient a(o.listen.port, "127.0.0.2"), b(o.listen.port, "127.0.0.2");
  a.Send("GET /ok HTTP/1.1\r\n");
  b.Send("GET /ok HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(100));
  RawClient third(o.listen.port, "127.0.0.2");
  CHECK(third.Read("}}").rfind("HTTP/1.1 503 ", 0) == 0);
  for (int i = 0; i < 4; ++i) {
    RawClient other(o.listen.port, "127.0.0.3");
    other.Send(GetRequest());
    CHECK(other.Read("fine").find("200 OK") != std::string::npos);
  }
  a.Close();
  // Once the gate has seen the close, the address has room again.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    RawClient again(o.listen.port, "127.0.0.2");
    again.Send(GetRequest());
    served = again.Read("fine").find("200 OK") != std::string::npos;
  }
  CHECK(served);
}

TEST_CASE("at max_connections an idle connection makes room; requests under way do not",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.max_connections = 2;
  o.keep_alive_timeout = std::chrono::seconds(30);
  auto server = Serving(o);
  RawClient idle1(o.listen.port), idle2(o.listen.port);
  for (RawClient* c : {&idle1, &idle2}) {
    c->Send(GetRequest());
    c->Read("fine");
  }
  RawClient fresh(o.listen.port);
  fresh.Send(GetRequest());
  CHECK(fresh.Read("fine").find("200 OK") != std::string::npos);
  CHECK((idle1.ClosedWithin(milliseconds(500)) || idle2.ClosedWithin(milliseconds(500))));
  fresh.Close();
  RawClient busy1(o.listen.port);
  busy1.Send("GET /ok HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(200));
  RawClient busy2(o.listen.port);
  busy2.Send("GET /ok HTTP/1.1\r\n");
  std::this_thread::sleep_for(
      milliseconds(1000));  // the gate has read both heads, even on a loaded machine
  RawClient refused(o.listen.port);
  std::string refusal = refused.Read("}}");
  INFO(refusal);
  CHECK(refusal.rfind("HTTP/1.1 503 ", 0) == 0);
}

TEST_CASE("keep-alive and pipelined requests are served in order on one connection",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  auto server = Serving(o);
  RawClient client(o.listen.port);
  client.Send("\r\n" + GetRequest() +
              "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" +
              "GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  REQUIRE(client.ClosedWithin(milliseconds(3000)));
  std::string got = client.Read();
  size_t first = got.find("fine"), second = got.find("\r\n\r\n3"), third = got.rfind("fine");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(third != first);
  CHECK(first < second);
  CHECK(second < third);
}

TEST_CASE("Stop closes idle connections and still answers a request under way", "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.keep_alive_timeout = std::chrono::seconds(30);
  auto server = Serving(o);
  RawClient idle(o.listen.port);
  idle.Send(GetRequest());
  idle.Read("fine");
  RawClient half(o.listen.port);
  half.Send("GET /ok HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(200));
  std::thread stopper([&] { server->Stop(); });
  CHECK(idle.ClosedWithin(milliseconds(2000)));
  half.Send("Host: t\r\n\r\n");
  std::string answer = half.Read("fine");
  CHECK(answer.find("200 OK") != std::string::npos);
  CHECK(answer.find("Connection: close") != std::string::npos);
  stopper.join();
  RawClient late(o.listen.port);
  CHECK_FALSE(late.connected());
}

// How many answers a stream of bytes from the server holds.
int Answers(const std::string& got) {
  int n = 0;
  for (size_t at = got.find("HTTP/1.1 "); at != std::string::npos; at = got.find("HTTP/1.1 ", at + 1)) {
    ++n;
  }
  return n;
}

// Each is a request a proxy could frame differently, with a second request
// hidden where the first one's body would be. The gate answers the first
// and closes: the hidden one is never served.
TEST_CASE("a request framed ambiguously is refused and its connection closed, nothing smuggled",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  Metrics metrics;
  auto server = Serving(o, &metrics);
  const std::string hidden = "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n";
  struct Row {
    std::string request;
    int status;
  };
  std::vector<Row> rows = {
      {"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + hidden, 400},
      {"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
       "0\r\n\r\n" + hidden, 400},
      {"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 30\r\n\r\n" + hidden,
       400},
      {"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + hidden,
       400},
      {"FOO /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 30\r\n\r\n" + hidden, 501},
      {std::string("GET /ok HTTP/1.1\r\nHost: t\r\nX-A: a") + '\0' + "b\r\n\r\n" + hidden, 400},
      {"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n" + hidden,
       400},
  };
  for (const Row& row : rows) {
    INFO(row.request);
    RawClient client(o.listen.port);
    client.Send(row.request);
    REQUIRE(client.ClosedWithin(milliseconds(4000)));
    std::string got = client.Read();
    CHECK(got.rfind("HTTP/1.1 " + std::to_string(row.status) + " ", 0) == 0);
    CHECK(Answers(got) == 1);
    CHECK(got.find("fine") == std::string::npos);
    CHECK(got.find("Connection: close") != std::string::npos);
  }
  server->Stop();
  CHECK(metrics.Render("").find("frontdesk_http_refused_total{reason=\"test:bad_request\"} 6") !=
        std::string::npos);
}

// httplib answers a POST to an unknown path without reading its body; the
// body must still not be read as the next request.
TEST_CASE("a body no handler reads is skipped whole, and the next request is the client's own",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  auto server = Serving(o);
  RawClient client(o.listen.port);
  std::string fake = "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n";
  client.Send("POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(fake.size()) +
              "\r\n\r\n" + fake + "GET /hold HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  REQUIRE(client.ClosedWithin(milliseconds(4000)));
  std::string got = client.Read();
  CHECK(got.rfind("HTTP/1.1 404 ", 0) == 0);
  CHECK(Answers(got) == 2);
  CHECK(got.find("held") != std::string::npos);
  CHECK(got.find("fine") == std::string::npos);
}

TEST_CASE("a client that expects 100 Continue gets it once, and its answer after the body",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  auto server = Serving(o);
  for (size_t size : {size_t{10}, size_t{5000}}) {  // a small body and a large one
    INFO(size);
    RawClient client(o.listen.port);
    client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " +
                std::to_string(size) + "\r\n\r\n");
    CHECK(client.Read("\r\n\r\n", milliseconds(2000)) == "HTTP/1.1 100 Continue\r\n\r\n");
    client.Send(std::string(size, 'b'));
    std::string got = client.Read("\r\n\r\n" + std::to_string(size));
    CHECK(got.find("200 OK") != std::string::npos);
    CHECK(Answers(got) == 2);
  }
  // Over the cap, the answer is 413 and no 100 comes.
  RawClient over(o.listen.port);
  over.Send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 9000\r\n\r\n");
  CHECK(over.Read("}}").rfind("HTTP/1.1 413 ", 0) == 0);
}

TEST_CASE("large bodies share body_memory_bytes: the next waits its turn, unread, then 503",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();  // bodies up to 8 KiB; 1 KiB read at once
  o.body_memory_bytes = 12 * 1024;
  o.read_timeout = std::chrono::seconds(2);
  Metrics metrics;
  auto server = Serving(o, &metrics);
  auto head = [](size_t n) {
    return "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(n) + "\r\n\r\n";
  };
  RawClient first(o.listen.port);
  first.Send(head(8000));
  CHECK(first.Read("\r\n\r\n").find("100 Continue") != std::string::npos);
  first.Send(std::string(4000, 'a'));  // half of it, holding its 8000 bytes of room
  RawClient second(o.listen.port);
  second.Send(head(6000));
  // 8000 + 6000 do not fit in 12 KiB: no 100 Continue while it waits.
  CHECK(second.Read("\r\n\r\n", milliseconds(500)).empty());
  // Small bodies do not wait.
  RawClient small(o.listen.port);
  small.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  CHECK(small.Read("\r\n\r\n3").find("200 OK") != std::string::npos);
  first.Send(std::string(4000, 'a'));
  CHECK(first.Read("8000").find("200 OK") != std::string::npos);
  // The room the first one freed lets the second in.
  CHECK(second.Read("\r\n\r\n", milliseconds(2000)).find("100 Continue") != std::string::npos);
  // A third waits behind the second, which sends its body slowly: after
  // read_timeout the third is told to come back later.
  RawClient third(o.listen.port);
  third.Send(head(8000));
  auto start = Clock::now();
  for (int i = 0; i < 6; ++i) {
    second.Send(std::string(1000, 'b'));
    std::this_thread::sleep_for(milliseconds(500));
  }
  CHECK(second.Read("6000").find("200 OK") != std::string::npos);
  std::string refusal = third.Read("}}", milliseconds(100));
  CHECK(refusal.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(refusal.find("Retry-After: 5") != std::string::npos);
  CHECK(SecondsSince(start) < 4.0);
  server->Stop();
  CHECK(metrics.Render("").find("reason=\"test:body_memory\"} 1") != std::string::npos);
}

TEST_CASE("where large bodies need credentials, one without is answered 401 before it is sent",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();  // 1 KiB read at once
  o.large_body_needs_credentials = true;
  auto server = Serving(o);
  RawClient stranger(o.listen.port);
  stranger.Send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
  std::string refusal = stranger.Read("}}");
  CHECK(refusal.rfind("HTTP/1.1 401 ", 0) == 0);
  CHECK(refusal.find("WWW-Authenticate: Bearer") != std::string::npos);
  CHECK(stranger.ClosedWithin(milliseconds(3000)));
  for (std::string credentials : {"Authorization: Bearer whatever", "Cookie: s=1"}) {
    RawClient known(o.listen.port);
    known.Send("POST /echo HTTP/1.1\r\nHost: t\r\n" + credentials + "\r\nContent-Length: 5000\r\n\r\n" +
               std::string(5000, 'b'));
    CHECK(known.Read("5000").find("200 OK") != std::string::npos);
  }
  RawClient small(o.listen.port);
  small.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  CHECK(small.Read("\r\n\r\n3").find("200 OK") != std::string::npos);
}

TEST_CASE("Stop answers a body still waiting for room 503 at once, and finishes the one being read",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.body_memory_bytes = 8192;
  auto server = Serving(o);
  RawClient reading(o.listen.port);
  reading.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8000\r\n\r\n" + std::string(100, 'a'));
  std::this_thread::sleep_for(milliseconds(200));
  RawClient waiting(o.listen.port);
  waiting.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8000\r\n\r\n");
  std::this_thread::sleep_for(milliseconds(200));
  auto start = Clock::now();
  std::thread stopper([&] { server->Stop(); });
  CHECK(waiting.Read("}}").rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(SecondsSince(start) < 1.0);
  reading.Send(std::string(7900, 'a'));
  CHECK(reading.Read("8000").find("200 OK") != std::string::npos);
  stopper.join();
}

TEST_CASE("slow large bodies hold no thread: a request is answered beside sixty of them",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();  // a single worker thread
  o.body_memory_bytes = 1024 * 1024;
  auto server = Serving(o);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 60; ++i) {
    auto c = std::make_unique<RawClient>(o.listen.port);
    c->Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8000\r\n\r\n" +
            std::string(static_cast<size_t>(100 + i), 'x'));
    slow.push_back(std::move(c));
  }
  std::this_thread::sleep_for(milliseconds(200));
  CheckServedPromptly(o.listen.port);
  slow[7]->Send(std::string(8000 - 107, 'y'));
  CHECK(slow[7]->Read("8000").find("200 OK") != std::string::npos);
}

}  // namespace
}  // namespace frontdesk
