#include "daemon/sla/explain_text.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("a duration reads as days, hours, minutes and seconds, without the zero parts", "[sla][explain]") {
  CHECK(Human(0) == "0s");
  CHECK(Human(59) == "59s");
  CHECK(Human(3600) == "1h");
  CHECK(Human(90061) == "1d 1h 1m 1s");
  CHECK(Human(-600) == "-10m");
}

}  // namespace
}  // namespace frontdesk
