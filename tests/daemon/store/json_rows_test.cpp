#include "daemon/store/json_rows.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <vector>

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

TEST_CASE("JsonRows escapes a character wherever it falls in a long string", "[store][json_rows]") {
  // Plain runs are appended whole; an escape at the start, the middle or
  // the end of one must not lose or repeat a byte.
  for (const std::string& special : std::vector<std::string>{"\"", "\\", "\n", std::string(1, '\0'), "\x1f", "é"}) {
    for (size_t at : {0, 1, 63, 200}) {
      std::string text = std::string(at, 'p') + special + std::string(200 - at, 'q') + special;
      JsonRows rows;
      rows.Row().Add("t", text);
      nlohmann::json j = nlohmann::json::parse(rows.Take());
      INFO(at);
      CHECK(j[0]["t"] == text);
    }
  }
}

}  // namespace
}  // namespace frontdesk
