// page.h: what every console page shares: escaping, the frame (the header
// with the views and their counts, the logout forms), the security headers
// (a Content-Security-Policy without inline script or style, no framing, no
// caching) and small formatters for times and countdowns. Pages are plain
// HTML forms; console.js only adds shortcuts. Thread-safe (pure functions).
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "console/auth.h"
#include "daemon/base/clock.h"

namespace frontdesk {

// HTML-escaped text, for element content and attribute values alike.
std::string H(std::string_view text);
// A URL query value, percent-encoded.
std::string UrlPart(std::string_view text);

// One link of the navigation: the view's key, its label, its count.
struct NavItem {
  std::string key, label;
  int64_t count = 0;
  std::string href;  // "" for /?view=KEY
};

struct PageFrame {
  std::string title;
  const SignedIn* who = nullptr;     // none on the login page
  std::vector<NavItem> nav;
  std::string current_view;          // marked in the navigation
};

// The whole document around `body`.
std::string RenderPage(const PageFrame& frame, const std::string& body);
// Sends a page with the console's headers.
void SendPage(httplib::Response& res, int status, const std::string& html);
// A page that says what went wrong, in `.error`, with a way back.
void SendProblem(httplib::Response& res, int status, const PageFrame& frame, const std::string& message);
// 303 to `location` (a path on this console).
void Redirect(httplib::Response& res, const std::string& location);

// The hidden CSRF field of every form.
std::string CsrfField(const SignedIn& who);
// "2026-11-30 14:05" in `zone`.
std::string ShortTime(Timestamp t, const std::string& zone);
// "in 45m", "in 3h 10m", "late 2h", "late 3d": business seconds to the
// due time (negative: past it), as SlaEngine::BusinessSecondsBetween counts.
std::string Countdown(int64_t business_seconds);

}  // namespace frontdesk
