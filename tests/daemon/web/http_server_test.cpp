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
#include "daemon/web/request_head.h"

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

std::unique_ptr<HttpServer> Serving(const HttpServerOptions& o, Metrics* metrics = nullptr) {
  auto server = std::make_unique<HttpServer>("test", o, metrics);
  server->Get("/ok", "/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("fine", "text/plain");
  });
  server->Post("/echo", "/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.body.size()), "text/plain");
  });
  REQUIRE(server->Bind().ok());
  server->Start();
  return server;
}

TEST_CASE("the head scanner finds the end of a head and the headers that shape its body",
          "[http][gate]") {
  using S = RequestHead::State;
  struct Row {
    std::string bytes;
    size_t cap;
    S state;
    size_t size;
    std::optional<uint64_t> length;
    bool chunked;
    bool expects;
  };
  std::vector<Row> rows = {
      {"GET / HTTP/1.1\r\nHost: a\r\n", 100, S::kIncomplete, 0, {}, false, false},
      {"GET / HTTP/1.1\r\n\r\n", 100, S::kComplete, 18, {}, false, false},
      {"POST / HTTP/1.1\r\ncontent-LENGTH:  12 \r\n\r\nbody", 100, S::kComplete, 41, 12, false,
       false},
      {"POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 9\r\n\r\n", 100, S::kComplete, 57,
       7, false, false},
      {"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 100, S::kComplete, 40, {}, false, false},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
       100,
       S::kComplete,
       53,
       {},
       true,
       false},
      {"POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", 100, S::kComplete, 41, {}, false, true},
      {"GET / HTTP/1.1\r\n\r\n", 18, S::kComplete, 18, {}, false, false},
      {"GET / HTTP/1.1\r\n\r\n", 17, S::kTooLarge, 0, {}, false, false},
      {std::string(64, 'a'), 64, S::kTooLarge, 0, {}, false, false},
      {std::string(63, 'a'), 64, S::kIncomplete, 0, {}, false, false},
  };
  for (const Row& row : rows) {
    INFO(row.bytes);
    RequestHead head = ScanRequestHead(row.bytes, row.cap);
    CHECK(head.state == row.state);
    CHECK(head.size == row.size);
    CHECK(head.content_length == row.length);
    CHECK(head.chunked == row.chunked);
    CHECK(head.expects_continue == row.expects);
  }
  CHECK(LeadingLineBreaks("\r\n\r\nGET") == 4);
  CHECK(LeadingLineBreaks("\r\n") == 2);
  CHECK(LeadingLineBreaks("GET") == 0);
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
      c->Send("POST /echo HTTP/1.1\r\nContent-Length: 500\r\n\r\nabc");  // half a small body
    if (i % 3 == 2) {  // idle between keep-alive requests
      c->Send(GetRequest());
      c->Read("fine");
    }
    attackers.push_back(std::move(c));
  }
  for (int round = 0; round < 3; ++round) {
    auto start = Clock::now();
    RawClient client(o.listen.port);
    client.Send(GetRequest());
    CHECK(client.Read("fine").find("200 OK") != std::string::npos);
    CHECK(SecondsSince(start) < 1.0);
  }
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

TEST_CASE("a chunked body is cut off at the body cap", "[http][gate]") {
  HttpServerOptions o = TightOptions();
  auto server = Serving(o);
  RawClient client(o.listen.port);
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "400\r\n" + std::string(1024, 'c') + "\r\n";
  for (int i = 0; i < 9; ++i) client.Send(chunk);
  client.Send("0\r\n\r\n");
  CHECK(client.Read("\r\n\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
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

TEST_CASE("a body sent slowly past request_timeout is cut off, on a worker too", "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.header_timeout = std::chrono::seconds(1);
  o.request_timeout = std::chrono::seconds(1);
  o.buffered_body_bytes = 0;  // every body is read by a worker
  auto server = Serving(o);
  RawClient client(o.listen.port);
  auto start = Clock::now();
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
  client.Drip();
  CHECK(SecondsSince(start) < 2.0);
  CHECK(client.ClosedWithin(milliseconds(3000)));
  // The worker is free again.
  RawClient next(o.listen.port);
  next.Send(GetRequest());
  CHECK(next.Read("fine").find("200 OK") != std::string::npos);
}

TEST_CASE("when every thread is busy and the queue is full the answer is 503 with Retry-After",
          "[http][gate]") {
  HttpServerOptions o = TightOptions();
  o.max_pending = 0;
  o.buffered_body_bytes = 0;
  auto server = Serving(o);
  RawClient holder(o.listen.port);  // holds the one worker while it waits for a body
  holder.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n");
  std::this_thread::sleep_for(milliseconds(500));
  RawClient client(o.listen.port);
  client.Send(GetRequest());
  std::string answer = client.Read("}}");
  CHECK(answer.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(answer.find("\r\nRetry-After: 5\r\n") != std::string::npos);
  holder.Send("0123456789");
  CHECK(holder.Read("\r\n\r\n10").find("200 OK") != std::string::npos);
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

}  // namespace
}  // namespace frontdesk
