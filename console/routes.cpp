#include "console/routes.h"

#include <spdlog/spdlog.h>

#include <functional>
#include <memory>

#include "console/admin_pages.h"
#include "console/assets.h"
#include "console/auth.h"
#include "console/dashboard_page.h"
#include "console/page.h"
#include "console/queue_page.h"
#include "console/ticket_page.h"

namespace frontdesk {
namespace {

using PageHandler = void (*)(ConsoleEnv&, const SignedIn&, const httplib::Request&, httplib::Response&);
using Action = std::function<void(const SignedIn&, const httplib::Request&, httplib::Response&)>;

bool Enabled(ServeContext& ctx, httplib::Response& res) {
  if (ctx.config()->console.enabled) return true;
  res.status = 404;
  res.set_content("The console is turned off ([console] enabled = false).\n", "text/plain; charset=utf-8");
  return false;
}

// Only a path on this console: "/x", never "//host" or a scheme.
std::string SafeNext(const std::string& next) {
  if (next.empty() || next[0] != '/' || next.size() > 500) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20) return "/";
  }
  return next;
}

std::string LoginForm(const std::string& email, const std::string& next, const std::string& error) {
  return "<h1>Frontdesk</h1>" +
         (error.empty() ? std::string() : "<p class=\"error\" role=\"alert\">" + H(error) + "</p>") +
         "<form id=\"login-form\" method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"" +
         H(next) + "\"><label for=\"email\">Your address</label><input id=\"email\" name=\"email\" type=\"email\" "
         "autocomplete=\"username\" required autofocus value=\"" + H(email) + "\"><label for=\"password\">Password"
         "</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" "
         "required><button id=\"login-button\">Log in</button></form>";
}

class Console {
 public:
  explicit Console(ServeContext& ctx) : ctx_(ctx), auth_(ctx), env_{ctx, presence_, nav_} {}

  // A page for a signed-in agent; anyone else is sent to /login.
  HttpServer::Handler Page(PageHandler page) {
    return [this, page](const httplib::Request& req, httplib::Response& res) {
      if (!Enabled(ctx_, res)) return;
      Result<std::optional<SignedIn>> who = auth_.Who(req);
      if (!who.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, who.status().message());
      if (!*who) {
        std::string target = req.path;
        if (!req.params.empty() && req.method == "GET") {
          std::string q = req.target.substr(req.target.find('?') == std::string::npos ? req.target.size() : req.target.find('?'));
          target += q;
        }
        return Redirect(res, "/login?next=" + UrlPart(target));
      }
      page(env_, **who, req, res);
    };
  }

  // A change by a signed-in agent, with its CSRF token and from this origin.
  HttpServer::Handler Change(PageHandler change) {
    return Checked([this, change](const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
      change(env_, who, req, res);
    });
  }
  HttpServer::Handler Checked(Action change) {
    return [this, change](const httplib::Request& req, httplib::Response& res) {
      if (!Enabled(ctx_, res)) return;
      Result<std::optional<SignedIn>> who = auth_.Who(req);
      if (!who.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, who.status().message());
      if (!*who) {
        return SendProblem(res, 401, PageFrame{"Logged out", nullptr, {}, ""},
                           "You are not logged in (or the session ended), so nothing was changed. Log in again at "
                           "/login.");
      }
      std::string why;
      if (!auth_.PostAllowed(req, **who, &why)) {
        spdlog::warn("console refused a form of {} from {}: {}", (*who)->agent, req.remote_addr, why);
        return SendProblem(res, 403, PageFrame{"Refused", &**who, {}, ""},
                           "This form was refused and nothing was changed: " + why +
                               ". Reload the page and try again.");
      }
      change(**who, req, res);
    };
  }

  void LoginPage(const httplib::Request& req, httplib::Response& res) {
    if (!Enabled(ctx_, res)) return;
    Result<std::optional<SignedIn>> who = auth_.Who(req);
    std::string next = SafeNext(req.has_param("next") ? req.get_param_value("next") : "/");
    if (who.ok() && *who) return Redirect(res, next);
    SendPage(res, 200, RenderPage(PageFrame{"Log in", nullptr, {}, ""}, LoginForm("", next, "")));
  }

  void LoginPost(const httplib::Request& req, httplib::Response& res) {
    if (!Enabled(ctx_, res)) return;
    std::string email = req.has_param("email") ? req.get_param_value("email") : "";
    std::string next = SafeNext(req.has_param("next") ? req.get_param_value("next") : "/");
    std::string why;
    if (!ConsoleAuth::SameOrigin(req, &why)) {
      return SendPage(res, 403, RenderPage(PageFrame{"Log in", nullptr, {}, ""},
                                           LoginForm(email, next, "This login came from another site: " + why)));
    }
    LoginOutcome out = auth_.Login(req, email, req.has_param("password") ? req.get_param_value("password") : "");
    if (!out.who) {
      int status = out.wait.count() > 0 ? 429 : 401;
      if (status == 429) res.set_header("Retry-After", std::to_string(out.wait.count()));
      return SendPage(res, status, RenderPage(PageFrame{"Log in", nullptr, {}, ""}, LoginForm(email, next, out.error)));
    }
    res.set_header("Set-Cookie", out.cookie);
    Redirect(res, next);
  }

  void Logout(const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
    Result<std::string> cookie = auth_.Logout(who, req.has_param("everywhere"));
    if (!cookie.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, cookie.status().message());
    res.set_header("Set-Cookie", *cookie);
    Redirect(res, "/login");
  }

 private:
  ServeContext& ctx_;
  ConsoleAuth auth_;
  Presence presence_;
  NavCache nav_;
  ConsoleEnv env_;
};

void Static(httplib::Response& res, std::string_view body, const char* type) {
  res.set_header("Cache-Control", "public, max-age=3600");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::string(body), type);
}

}  // namespace

void RegisterConsoleRoutes(HttpServer& server, ServeContext& ctx) {
  // Lives as long as the handlers that capture it.
  auto console = std::make_shared<Console>(ctx);
  server.Get("/login", "/login", [console](const httplib::Request& req, httplib::Response& res) {
    console->LoginPage(req, res);
  });
  server.PostForm("/login", "/login", [console](const httplib::Request& req, httplib::Response& res) {
    console->LoginPost(req, res);
  });
  // Logging out is a change like any other: a forged form cannot do it.
  server.PostForm("/logout", "/logout",
                  console->Checked([console](const SignedIn& who, const httplib::Request& req,
                                             httplib::Response& res) { console->Logout(who, req, res); }));
  server.Get("/", "/", console->Page(ShowQueue));
  server.Get("/dashboard", "/dashboard", console->Page(ShowDashboard));
  server.Get("/admin", "/admin", console->Page(ShowAdmin));
  server.Get(R"(/admin/([a-z]+))", "/admin/{page}", console->Page(ShowAdmin));
  server.PostForm(R"(/admin/([a-z]+))", "/admin/{action}", console->Change(AdminAction));
  server.Get(R"(/tickets/(\d+))", "/tickets/{id}", console->Page(ShowTicket));
  server.Get(R"(/tickets/(\d+)/attachments/(\d+))", "/tickets/{id}/attachments/{aid}",
             console->Page(DownloadAttachment));
  server.PostForm(R"(/tickets/(\d+)/messages)", "/tickets/{id}/messages", console->Change(PostMessage));
  server.PostForm(R"(/tickets/(\d+)/update)", "/tickets/{id}/update", console->Change(PostUpdate));
  server.PostForm(R"(/tickets/(\d+)/presence)", "/tickets/{id}/presence", console->Change(PostPresence));
  server.PostForm("/bulk", "/bulk", console->Change(ApplyBulk));
  server.PostForm("/views", "/views", console->Change(SaveView));
  server.PostForm(R"(/views/(\d+)/delete)", "/views/{id}/delete", console->Change(DeleteView));
  server.Get("/static/console.css", "/static/console.css", [](const httplib::Request&, httplib::Response& res) {
    Static(res, ConsoleCss(), "text/css; charset=utf-8");
  });
  server.Get("/static/console.js", "/static/console.js", [](const httplib::Request&, httplib::Response& res) {
    Static(res, ConsoleJs(), "text/javascript; charset=utf-8");
  });
}

}  // namespace frontdesk
