#include "daemon/web/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "daemon/base/random.h"
#include "daemon/base/thread_pool.h"

namespace frontdesk {

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
    : name_(std::move(name)), options_(options), metrics_(metrics) {
  size_t base = options_.threads, max = options_.max_threads;
  server_.new_task_queue = [base, max] { return new ElasticThreadPool(base, max); };
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

bool BacklogServer::RaiseBacklog(int backlog) {
  socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;
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
  return Status::Ok();
}

void HttpServer::Start() {
  thread_ = std::thread([this] {
    if (!server_.listen_after_bind()) spdlog::error("{} listener stopped with an error", name_);
  });
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

}  // namespace frontdesk
