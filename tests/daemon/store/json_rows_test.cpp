#include "daemon/store/json_rows.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace frontdesk {
namespace {

TEST_CASE("JsonRows writes what a JSON parser reads back", "[store][json_rows]") {
  JsonRows rows;
  CHECK(rows.Take() == "[]");
  const std::string awkward = std::string("quote \" back \\ slash, tab\t, nul ") + '\0' + " bell \x07 end \x7f";
  rows.Row().Add("id", int64_t{-9223372036854775807 - 1}).Add("text", awkward).Add("none", std::optional<int64_t>());
  rows.Row().Add("id", int64_t{42}).Add("text", "zażółć 日本").Add("kept", std::optional<std::string>("x"))
      .Add("gone", std::optional<std::string>());
  nlohmann::json j = nlohmann::json::parse(rows.Take());
  REQUIRE(j.size() == 2);
  CHECK(j[0]["id"] == INT64_MIN);
  CHECK(j[0]["text"] == awkward);
  CHECK(j[0]["none"].is_null());
  CHECK(j[1]["id"] == 42);
  CHECK(j[1]["text"] == "zażółć 日本");
  CHECK(j[1]["kept"] == "x");
  CHECK(j[1]["gone"].is_null());
  // Taken, it starts again empty.
  CHECK(rows.Take() == "[]");
}

}  // namespace
}  // namespace frontdesk
