#include "daemon/web/http_input.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

namespace frontdesk {
namespace {

TEST_CASE("request bodies parse within limits, and every failure is a clear 400", "[web][json]") {
  struct Case {
    const char* name;
    std::string body;
    const char* error;  // "" when it parses
  };
  const Case cases[] = {
      {"a ticket", R"({"subject": "Hi", "fields": {"a": "b"}, "tags": ["x"]})", ""},
      {"brackets inside strings do not count", std::string("{\"s\": \"") + std::string(100, '[') + "\\\"]\"}", ""},
      {"malformed", R"({"subject": )", "malformed JSON at byte"},
      {"a number JSON cannot hold", R"({"n": 1e999999})", "a value JSON cannot hold"},
      {"nested too deep", std::string(33, '['), "JSON nested deeper than 32 levels at byte 32"},
      {"ten megabytes of brackets stop at once", std::string(10 << 20, '['), "JSON nested deeper than 32"},
      {"too many values", "[" + [] {
         std::string s;
         for (int i = 0; i < 100001; ++i) s += "0,";
         return s;
       }() + "0]",
       "JSON with more than 100000 values"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Result<nlohmann::json> r = ParseJsonBody(c.body);
    if (std::string(c.error).empty()) {
      CHECK(r.ok());
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Status::Code::kInvalid);
      CHECK_THAT(r.status().message(), Catch::Matchers::Contains(c.error));
    }
  }
}

TEST_CASE("the form takes a browser's post only from its own pages and the allowed sites",
          "[web][origin]") {
  FormConfig form;
  form.public_origin = "https://help.example.com";
  form.allowed_origins = {"https://www.example.com"};
  const std::optional<std::string> absent;
  struct Case {
    const char* name;
    std::optional<std::string> site;    // Sec-Fetch-Site
    std::optional<std::string> origin;  // Origin
    const char* refused_by;             // "" when taken
  };
  const Case cases[] = {
      {"no header: curl, a server-side script", absent, absent, ""},
      {"the form's own page", "same-origin", "https://help.example.com", ""},
      {"the form's own page, a browser without Sec-Fetch-Site", absent, "https://help.example.com",
       ""},
      {"same-origin without Origin", "same-origin", absent, ""},
      {"typed or bookmarked", "none", absent, ""},
      {"Origin in other capitals", "same-origin", "HTTPS://Help.Example.COM", ""},
      {"a value of Sec-Fetch-Site to come", "same-party", "https://help.example.com", ""},
      {"an allowed site of the same site", "same-site", "https://www.example.com", ""},
      {"an allowed site on another site", "cross-site", "https://www.example.com", ""},
      {"another site", "cross-site", "https://evil.example", "Origin"},
      {"another site, a browser without Sec-Fetch-Site", absent, "https://evil.example", "Origin"},
      {"cross-site without Origin", "cross-site", absent, "Sec-Fetch-Site"},
      {"Cross-Site in capitals", "Cross-Site", absent, "Sec-Fetch-Site"},
      {"cross-site, yet naming the form's own origin", "cross-site", "https://help.example.com",
       "Sec-Fetch-Site"},
      {"another host of the site, not allowed", "same-site", "https://blog.example.com", "Origin"},
      {"same-site without Origin", "same-site", absent, "Sec-Fetch-Site"},
      {"a sandboxed page or a local file", absent, "null", "Origin"},
      {"null, cross-site", "cross-site", "null", "Origin"},
      {"an empty Origin", absent, "", "Origin"},
      {"the form's host on another port", "same-site", "https://help.example.com:8443", "Origin"},
      {"the form's host without TLS", "cross-site", "http://help.example.com", "Origin"},
      {"an allowed origin with a path is not one", absent, "https://www.example.com/shop",
       "Origin"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    SourceVerdict v = JudgeFormSource(c.site, c.origin, form);
    CHECK(v.allowed == std::string(c.refused_by).empty());
    CHECK(v.header == c.refused_by);
    if (!v.allowed)
      CHECK_THAT(v.reason,
                 Catch::Matchers::StartsWith("this form takes posts only from its own pages; "));
  }
  CHECK(JudgeFormSource(absent, "https://evil.example", form).reason ==
        "this form takes posts only from its own pages; this one came from https://evil.example");
  CHECK(JudgeFormSource("cross-site", absent, form).reason ==
        "this form takes posts only from its own pages; the browser says this one came from "
        "another site "
        "(Sec-Fetch-Site: cross-site)");
  // A hostile Origin is echoed cut short.
  SourceVerdict v = JudgeFormSource(absent, "https://" + std::string(5000, 'a') + ".example", form);
  CHECK(v.reason.size() < 200);
}

TEST_CASE("without a public origin the form trusts only the allowed sites", "[web][origin]") {
  FormConfig form;  // public_origin empty, as for a Config built without the loader
  CHECK_FALSE(JudgeFormSource(std::nullopt, "", form).allowed);
  CHECK_FALSE(JudgeFormSource("same-origin", "http://127.0.0.1:8080", form).allowed);
  CHECK(JudgeFormSource(std::nullopt, std::nullopt, form).allowed);
}

TEST_CASE("a key given twice in one object is refused, naming it", "[web][json]") {
  Result<nlohmann::json> twice = ParseJsonBody(R"({"status": "open", "status": "closed"})");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().field() == "status");
  CHECK(twice.status().message() == "the key \"status\" appears twice in one object");
  CHECK_FALSE(ParseJsonBody(R"({"a": {"b": 1, "b": 2}})").ok());
  CHECK_FALSE(ParseJsonBody(R"([{"a": 1}, {"b": [{"c": 1, "c": 1}]}])").ok());
  // The same key in different objects, and a key inside a string, are fine.
  CHECK(ParseJsonBody(R"({"a": {"b": 1}, "c": {"b": 2}, "b": 3})").ok());
  CHECK(ParseJsonBody(R"([{"a": 1}, {"a": 2}])").ok());
  CHECK(ParseJsonBody(R"({"a": "\"a\": 1", "b": "a"})").ok());
}

TEST_CASE("media types are compared without regard to case, parameters aside", "[web][media]") {
  CHECK(MediaTypeIs("application/json", "application/json"));
  CHECK(MediaTypeIs("Application/JSON; charset=UTF-8", "application/json"));
  CHECK(MediaTypeIs(" application/json ;charset=utf-8", "application/json"));
  CHECK(MediaTypeIs("Multipart/Form-Data; boundary=x", "multipart/form-data"));
  CHECK_FALSE(MediaTypeIs("application/jsonx", "application/json"));
  CHECK_FALSE(MediaTypeIs("application/json-patch+json", "application/json"));
  CHECK_FALSE(MediaTypeIs("text/plain", "application/json"));
  CHECK_FALSE(MediaTypeIs("", "application/json"));
}

}  // namespace
}  // namespace frontdesk
