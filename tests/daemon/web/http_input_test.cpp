#include "daemon/web/http_input.h"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace frontdesk
