// http_server.h: one hardened cpp-httplib listener. A ConnectionGate reads
// each whole request before a thread of a bounded pool serves it with
// httplib, so slow and idle clients hold no thread; the gate keeps the
// connection caps, the deadlines and the memory large bodies may take. The server also owns the timeouts, the
// payload cap and the socket options, turns any exception a handler throws
// into a logged JSON 500, and refuses to share a port with another process.
// Routes are added through Get() and friends before Start(). Start() and
// Stop() are called from the main thread only.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "daemon/base/metrics.h"
#include "daemon/base/status.h"
#include "daemon/base/thread_pool.h"
#include "daemon/web/connection_gate.h"

namespace frontdesk {

struct HttpServerOptions {
  ListenAddress listen;
  int threads = 8;      // always running
  int max_threads = 32;  // the most it grows to while every thread is busy
  int max_pending = 64;  // requests that wait for a thread; 503 beyond
  int max_connections = 512;
  int max_connections_per_address = 32;
  // Peers the per-address cap does not count (a proxy on this machine).
  std::vector<std::string> unlimited_addresses;
  int64_t max_header_bytes = 16 * 1024;
  int64_t buffered_body_bytes = 64 * 1024;
  int64_t max_body_bytes = 10 * 1024 * 1024;
  int64_t body_memory_bytes = 64 * 1024 * 1024;  // at least max_body_bytes
  bool large_body_needs_credentials = false;      // see ConnectionLimits
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds request_timeout{60};
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{2};
  int keep_alive_max_requests = 100;
};

// The httplib server under the listener. It hands each accepted socket to
// `on_accept` instead of holding a thread for it, serves one request at a
// time on a stream the listener provides, and listens with a real backlog:
// the 5 compiled into Debian's library makes a burst of new clients wait a
// second for a SYN retry.
class ListenerServer : public httplib::Server {
 public:
  explicit ListenerServer(std::function<void(int)> on_accept);
  bool RaiseBacklog(int backlog);
  // One request from `strm`, answered on it; false when it could not be
  // read or answered. `closed` is set when the client asked to close.
  bool ServeOne(httplib::Stream& strm, bool last, bool& closed);

 private:
  // Runs on httplib's accepting thread, once per connection.
  bool process_and_close_socket(socket_t sock) override;

  std::function<void(int)> on_accept_;
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
  // A POST that takes a browser form of any size up to max_body_bytes.
  // Debian's cpp-httplib refuses an urlencoded body over 8 KiB with 413 (a
  // limit compiled into the library), below the form's own caps; here the
  // body is read by this route, urlencoded fields land in req.params and
  // multipart parts in req.files, as for Post().
  void PostForm(const std::string& pattern, const std::string& route, Handler handler);
  // One of the above by name: GET, POST, PATCH or DELETE.
  void Add(std::string_view method, const std::string& pattern, const std::string& route, Handler handler);
  const std::string& name() const { return name_; }
  // Binds the socket; an address in use is an error here, not a silent
  // second listener.
  Status Bind();
  // Serves on threads of its own until Stop().
  void Start();
  // Stops accepting, closes idle and unfinished connections, lets requests
  // already read finish, and joins the threads.
  void Stop();

 private:
  Handler Timed(const std::string& route, const std::string& method, Handler handler);
  void CountRefused(std::string_view reason);
  bool Dispatch(const std::shared_ptr<Connection>& c);
  void Serve(const std::shared_ptr<Connection>& c);

  std::string name_;
  HttpServerOptions options_;
  Metrics* metrics_;
  ConnectionGate gate_;
  ListenerServer server_;
  std::unique_ptr<ElasticThreadPool> pool_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// The gate's limits for `options`.
ConnectionLimits LimitsFor(const HttpServerOptions& options);

// Writes {"error":{"code","message","field"}} with the status HTTP code that
// fits the Status code.
void WriteError(httplib::Response& res, const Status& status);
void WriteError(httplib::Response& res, int http_status, std::string_view code,
                std::string_view message, std::string_view field = {});
int HttpStatusFor(const Status& status);

}  // namespace frontdesk
