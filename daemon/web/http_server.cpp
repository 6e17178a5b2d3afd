#include "daemon/web/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>

#include "daemon/base/random.h"
#include "daemon/web/http_input.h"

namespace frontdesk {
namespace {

// httplib hands each accepted socket to its task queue. This one runs the
// task at once, on the accepting thread: the task only passes the socket to
// the gate (ListenerServer::process_and_close_socket), which never blocks.
class AcceptQueue final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

}  // namespace

ConnectionLimits LimitsFor(const HttpServerOptions& o) {
  ConnectionLimits l;
  l.max_connections = static_cast<size_t>(o.max_connections);
  l.max_connections_per_address = static_cast<size_t>(o.max_connections_per_address);
  l.unlimited_addresses = o.unlimited_addresses;
  l.max_header_bytes = static_cast<size_t>(o.max_header_bytes);
  l.buffered_body_bytes = static_cast<size_t>(o.buffered_body_bytes);
  l.max_body_bytes = static_cast<uint64_t>(o.max_body_bytes);
  // The largest body must fit, or it would wait for room forever.
  l.body_memory_bytes = static_cast<uint64_t>(std::max(o.body_memory_bytes, o.max_body_bytes));
  l.large_body_needs_credentials = o.large_body_needs_credentials;
  l.header_timeout = o.header_timeout;
  l.request_timeout = o.request_timeout;
  l.read_timeout = o.read_timeout;
  l.write_timeout = o.write_timeout;
  l.keep_alive_timeout = o.keep_alive_timeout;
  return l;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalid: return 400;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kConflict: return 409;
    case Status::Code::kPreconditionFailed: return 412;
    case Status::Code::kRejected: return 422;
    case Status::Code::kBusy:
    case Status::Code::kIo:
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kUnauthorized: return 401;
    case Status::Code::kForbidden: return 403;
    case Status::Code::kTooLarge: return 413;
    case Status::Code::kInternal: return 500;
  }
  return 500;
}

void WriteError(httplib::Response& res, int http_status, std::string_view code,
                std::string_view message, std::string_view field) {
  nlohmann::json err = {{"code", code}, {"message", message}};
  err["field"] = field.empty() ? nlohmann::json(nullptr) : nlohmann::json(field);
  res.status = http_status;
  // Invalid UTF-8 in an echoed value must not turn an error into an exception.
  res.set_content(nlohmann::json{{"error", err}}.dump(-1, ' ', false,
                                                      nlohmann::json::error_handler_t::replace),
                  "application/json");
  if (http_status == 503) res.set_header("Retry-After", "5");
}

void WriteError(httplib::Response& res, const Status& status) {
  WriteError(res, HttpStatusFor(status), Status::CodeName(status.code()), status.message(),
             status.field());
}

HttpServer::HttpServer(std::string name, const HttpServerOptions& options, Metrics* metrics)
    : name_(std::move(name)),
      options_(options),
      metrics_(metrics),
      gate_(name_, LimitsFor(options_), [this](const auto& c) { return Dispatch(c); },
            [this](std::string_view reason) { CountRefused(reason); }),
      server_([this](int fd) { gate_.Adopt(fd); }) {
  server_.new_task_queue = [] { return new AcceptQueue; };
  server_.set_read_timeout(options_.read_timeout);
  server_.set_write_timeout(options_.write_timeout);
  server_.set_keep_alive_timeout(options_.keep_alive_timeout.count());
  server_.set_keep_alive_max_count(options_.keep_alive_max_requests);
  server_.set_payload_max_length(options_.max_body_bytes);
  // httplib writes the headers and the body in separate writes; with Nagle
  // on, the body waits for the client's delayed ACK (40 ms on Linux).
  server_.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which would let a second daemon
  // bind the same port and steal half the connections.
  server_.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  server_.set_exception_handler([this](const httplib::Request& req, httplib::Response& res,
                                       std::exception_ptr ep) {
    std::string id = RandomToken(6);
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("{}: {} {}: internal error {}: {}", name_, req.method, req.path, id, what);
    WriteError(res, 500, "internal", "internal error; the server log has id " + id);
  });
  server_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    // Errors no route produced (no such path, a body over the cap, a request
    // httplib could not read) are counted here; routed ones in Timed().
    if (metrics_) metrics_->ObserveRequest(name_, "unmatched", req.method, res.status, 0);
    switch (res.status) {
      case 404: WriteError(res, 404, "not_found", "no such path"); break;
      case 405: WriteError(res, 405, "method_not_allowed", "method not allowed"); break;
      case 413: WriteError(res, 413, "too_large", "the request body is too large"); break;
      case 414: WriteError(res, 414, "too_large", "the request URI is too long"); break;
      default:
        if (res.status >= 400) WriteError(res, res.status, "bad_request", "the request could not be read");
    }
  });
}

HttpServer::~HttpServer() { Stop(); }

HttpServer::Handler HttpServer::Timed(const std::string& route, const std::string& method,
                                      Handler handler) {
  return [this, route, method, handler = std::move(handler)](const httplib::Request& req,
                                                             httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    auto record = [&](int code) {
      if (!metrics_) return;
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      metrics_->ObserveRequest(name_, route, method, code, took.count());
    };
    try {
      handler(req, res);
    } catch (...) {
      record(500);  // the exception handler answers 500
      throw;
    }
    // httplib turns an unset status (-1) into 200 after the handler.
    record(res.status == -1 ? 200 : res.status);
  };
}

void HttpServer::Get(const std::string& pattern, const std::string& route, Handler handler) {
  server_.Get(pattern, Timed(route, "GET", std::move(handler)));
}
void HttpServer::Post(const std::string& pattern, const std::string& route, Handler handler) {
  server_.Post(pattern, Timed(route, "POST", std::move(handler)));
}
void HttpServer::PostForm(const std::string& pattern, const std::string& route, Handler handler) {
  server_.Post(pattern, [timed = Timed(route, "POST", std::move(handler))](
                            const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read) {
    httplib::Request whole = req;
    bool complete = true;
    if (req.is_multipart_form_data()) {
      std::string name;
      complete = read(
          [&](const httplib::MultipartFormData& part) {
            name = part.name;
            whole.files.emplace(part.name, part);
            return true;
          },
          [&](const char* data, size_t n) {
            // The part just announced is the last one under its name.
            auto range = whole.files.equal_range(name);
            if (range.first == range.second) return false;
            std::prev(range.second)->second.content.append(data, n);
            return true;
          });
    } else {
      // The stream already stops a body at max_body_bytes.
      complete = read([&](const char* data, size_t n) {
        whole.body.append(data, n);
        return true;
      });
      if (MediaTypeIs(req.get_header_value("Content-Type"), "application/x-www-form-urlencoded")) {
        httplib::detail::parse_query_text(whole.body, whole.params);
      }
    }
    if (!complete) return WriteError(res, 400, "bad_request", "the request body could not be read");
    timed(whole, res);
  });
}

void HttpServer::Patch(const std::string& pattern, const std::string& route, Handler handler) {
  server_.Patch(pattern, Timed(route, "PATCH", std::move(handler)));
}

void HttpServer::Delete(const std::string& pattern, const std::string& route, Handler handler) {
  server_.Delete(pattern, Timed(route, "DELETE", std::move(handler)));
}

void HttpServer::Add(std::string_view method, const std::string& pattern, const std::string& route,
                     Handler handler) {
  if (method == "GET") return Get(pattern, route, std::move(handler));
  if (method == "POST") return Post(pattern, route, std::move(handler));
  if (method == "PATCH") return Patch(pattern, route, std::move(handler));
  if (method == "DELETE") return Delete(pattern, route, std::move(handler));
  // A route table with another method is a programming error.
  std::abort();
}

ListenerServer::ListenerServer(std::function<void(int)> on_accept)
    : on_accept_(std::move(on_accept)) {}

bool ListenerServer::RaiseBacklog(int backlog) {
  socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
}

bool ListenerServer::ServeOne(httplib::Stream& strm, bool last, bool& closed) {
  return process_request(strm, last, closed, nullptr);
}

bool ListenerServer::process_and_close_socket(socket_t sock) {
  on_accept_(sock);
  return true;
}

void HttpServer::CountRefused(std::string_view reason) {
  if (!metrics_) return;
  metrics_->Count("frontdesk_http_refused_total", "reason", name_ + ":" + std::string(reason));
}

bool HttpServer::Dispatch(const std::shared_ptr<Connection>& c) {
  return pool_ && pool_->TryEnqueue([this, c] { Serve(c); });
}

// One request on a worker thread; the connection then goes back to the gate
// to wait for the next one, unless this was the last.
void HttpServer::Serve(const std::shared_ptr<Connection>& c) {
  ConnectionStream strm(*c, gate_.limits());
  bool last = stopping_ || options_.keep_alive_timeout.count() == 0 ||
              c->answered + 1 >= options_.keep_alive_max_requests;
  bool closed = false;
  bool ok = false;
  try {
    ok = server_.ServeOne(strm, last, closed);
  } catch (const std::exception& e) {
    // Handlers' exceptions are answered inside httplib; this is anything else.
    spdlog::error("{}: serving a request failed: {}", name_, e.what());
  } catch (...) {
    spdlog::error("{}: serving a request failed: unknown exception", name_);
  }
  strm.Finish();
  ++c->answered;
  gate_.Return(c, ok && !closed && !last && !strm.broken());
}

Status HttpServer::Bind() {
  errno = 0;
  if (!server_.bind_to_port(options_.listen.host, options_.listen.port)) {
    int err = errno;
    std::string why = err ? std::strerror(err) : "bind failed";
    return Status::Unavailable(name_ + " listener: cannot listen on " +
                               options_.listen.ToString() + ": " + why);
  }
  if (!server_.RaiseBacklog(SOMAXCONN)) {
    spdlog::warn("{} listener: could not raise the listen backlog: {}", name_, std::strerror(errno));
  }
  return gate_.Open();
}

void HttpServer::Start() {
  pool_ = std::make_unique<ElasticThreadPool>(options_.threads, options_.max_threads,
                                              options_.max_pending);
  gate_.Start();
  thread_ = std::thread([this] {
    if (!server_.listen_after_bind()) spdlog::error("{} listener stopped with an error", name_);
  });
}

// In this order: no new connections; the gate closes the idle ones, reads
// the requests under way to their end and hands them over, then closes
// every connection that comes back; the pool answers all it took. Nothing
// then runs that could reach this object.
void HttpServer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
  gate_.Stop();
  if (pool_) pool_->Shutdown();
}

}  // namespace frontdesk
