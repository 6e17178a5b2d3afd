#include "console/page.h"

#include <date/tz.h>

#include <cstdio>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

// No inline script or style anywhere: the one stylesheet and the one script
// come from this console.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string Span(int64_t seconds) {
  int64_t m = seconds / 60;
  if (m < 60) return std::to_string(std::max<int64_t>(m, 0)) + "m";
  int64_t h = m / 60;
  if (h < 24) return std::to_string(h) + "h" + (m % 60 ? " " + std::to_string(m % 60) + "m" : "");
  return std::to_string(h / 24) + "d" + (h % 24 ? " " + std::to_string(h % 24) + "h" : "");
}

}  // namespace

std::string H(std::string_view text) { return HtmlEscape(text); }

std::string UrlPart(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CsrfField(const SignedIn& who) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + H(who.csrf) + "\">";
}

std::string RenderPage(const PageFrame& frame, const std::string& body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" + H(frame.title) + " - Frontdesk</title>"
      "<link rel=\"stylesheet\" href=\"/static/console.css\">"
      "<script src=\"/static/console.js\" defer></script></head><body>";
  if (frame.who) {
    out += "<header><a class=\"brand\" href=\"/\">Frontdesk</a><nav id=\"nav\">";
    for (const NavItem& n : frame.nav) {
      out += "<a data-view=\"" + H(n.key) + "\" href=\"" + H(n.href.empty() ? "/?view=" + UrlPart(n.key) : n.href) + "\"" +
             (n.key == frame.current_view ? " class=\"current\" aria-current=\"page\"" : "") + ">" + H(n.label) +
             " <span class=\"count\">" + (n.count < 0 ? std::string("?") : std::to_string(n.count)) + "</span></a>";
    }
    out += std::string("<a id=\"dashboard-link\" href=\"/dashboard\"") +
           (frame.current_view == "dashboard" ? " class=\"current\" aria-current=\"page\"" : "") + ">Dashboard</a>";
    if (frame.who->admin) {
      out += std::string("<a id=\"admin-link\" href=\"/admin/agents\"") +
             (frame.current_view == "admin" ? " class=\"current\" aria-current=\"page\"" : "") + ">Admin</a>";
    }
    out += "</nav><form id=\"search-form\" method=\"get\" action=\"/\"><input type=\"hidden\" name=\"view\" "
           "value=\"open\"><input type=\"search\" name=\"q\" id=\"search\" placeholder=\"Search (/)\" "
           "aria-label=\"Search\"></form>";
    out += "<div class=\"who\"><span id=\"agent\">" + H(frame.who->agent) + "</span>";
    out += "<form id=\"logout-form\" method=\"post\" action=\"/logout\">" + CsrfField(*frame.who) +
           "<button id=\"logout-button\">Log out</button></form>";
    out += "<form id=\"logout-all-form\" method=\"post\" action=\"/logout\">" + CsrfField(*frame.who) +
           "<input type=\"hidden\" name=\"everywhere\" value=\"1\"><button id=\"logout-all-button\">"
           "Log out everywhere</button></form></div></header>";
  }
  out += "<main>" + body + "</main>";
  out += "<div id=\"help\" hidden><h2>Keyboard</h2><dl><dt>j / k</dt><dd>next / previous ticket</dd>"
         "<dt>o</dt><dd>open</dd><dt>r</dt><dd>reply</dd><dt>n</dt><dd>note</dd><dt>a</dt><dd>take</dd>"
         "<dt>/</dt><dd>search</dd><dt>?</dt><dd>this help</dd><dt>Ctrl+Enter</dt><dd>send</dd></dl></div>";
  return out + "</body></html>\n";
}

void SendPage(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Content-Security-Policy", kPolicy);
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

void SendProblem(httplib::Response& res, int status, const PageFrame& frame, const std::string& message) {
  SendPage(res, status,
           RenderPage(frame, "<h1>" + H(frame.title) + "</h1><p class=\"error\" role=\"alert\">" + H(message) +
                                 "</p><p><a href=\"/\">Back to the tickets</a></p>"));
}

void Redirect(httplib::Response& res, const std::string& location) {
  res.status = 303;
  res.set_header("Location", location);
  res.set_header("Cache-Control", "no-store");
}

std::string ShortTime(Timestamp t, const std::string& zone) {
  try {
    auto zoned = date::make_zoned(date::locate_zone(zone), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%Y-%m-%d %H:%M", zoned);
  } catch (const std::exception&) {
    return date::format("%Y-%m-%d %H:%M UTC", std::chrono::floor<std::chrono::minutes>(t));
  }
}

std::string Countdown(int64_t business_seconds) {
  return business_seconds >= 0 ? "in " + Span(business_seconds) : "late " + Span(-business_seconds);
}

}  // namespace frontdesk
