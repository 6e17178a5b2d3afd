// http_server.h: one hardened cpp-httplib listener. It owns the thread pool
// size, the timeouts, the payload cap and the socket options, turns any
// exception a handler throws into a logged JSON 500, and refuses to share a
// port with another process. Routes are added through routes() before
// Start(). Start() and Stop() are called from the main thread only.
#pragma once

#include <httplib.h>

#include <atomic>
#include <string>
#include <thread>

#include "config/config.h"
#include "daemon/base/metrics.h"
#include "daemon/base/status.h"

namespace frontdesk {

struct HttpServerOptions {
  ListenAddress listen;
  int threads = 8;      // always running
  int max_threads = 32;  // the most it grows to while every thread is busy
  int64_t max_body_bytes = 10 * 1024 * 1024;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{2};
  int keep_alive_max_requests = 100;
};

// httplib's listen backlog of 5 is compiled into Debian's library; a burst
// of new clients past it waits a second for a SYN retry. The socket is a
// protected member, so this subclass can listen() again with a real backlog.
class BacklogServer : public httplib::Server {
 public:
  bool RaiseBacklog(int backlog);
};

class HttpServer {
 public:
  using Handler = httplib::Server::Handler;

  // `metrics` may be null (tests); it must outlive the server.
  HttpServer(std::string name, const HttpServerOptions& options, Metrics* metrics = nullptr);
  ~HttpServer();

  // Registers a handler for a regex `pattern`; `route` is the readable name
  // under which its requests are counted ("/api/v1/tickets/{id}").
  void Get(const std::string& pattern, const std::string& route, Handler handler);
  void Post(const std::string& pattern, const std::string& route, Handler handler);
  void Patch(const std::string& pattern, const std::string& route, Handler handler);
  void Delete(const std::string& pattern, const std::string& route, Handler handler);
  // One of the above by name: GET, POST, PATCH or DELETE.
  void Add(std::string_view method, const std::string& pattern, const std::string& route, Handler handler);
  const std::string& name() const { return name_; }
  // Binds the socket; an address in use is an error here, not a silent
  // second listener.
  Status Bind();
  // Serves on a thread of its own until Stop().
  void Start();
  // Stops accepting, lets requests in flight finish, and joins the threads.
  void Stop();

 private:
  Handler Timed(const std::string& route, const std::string& method, Handler handler);

  std::string name_;
  HttpServerOptions options_;
  Metrics* metrics_;
  BacklogServer server_;
  std::thread thread_;
};

// Writes {"error":{"code","message","field"}} with the status HTTP code that
// fits the Status code.
void WriteError(httplib::Response& res, const Status& status);
void WriteError(httplib::Response& res, int http_status, std::string_view code,
                std::string_view message, std::string_view field = {});
int HttpStatusFor(const Status& status);

}  // namespace frontdesk
