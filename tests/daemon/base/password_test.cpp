#include "daemon/base/password.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("passwords are stored as Argon2id strings that only the password matches", "[password]") {
  Result<std::string> h = HashPassword("correct horse battery");
  REQUIRE(h.ok());
  CHECK(h->rfind("$argon2id$", 0) == 0);
  CHECK(h->find("correct horse") == std::string::npos);
  CHECK(VerifyPassword(*h, "correct horse battery"));
  CHECK_FALSE(VerifyPassword(*h, "correct horse batterY"));
  CHECK_FALSE(VerifyPassword(*h, ""));
  CHECK_FALSE(PasswordNeedsRehash(*h));
  // The salt differs each time.
  CHECK(*HashPassword("correct horse battery") != *h);
  // A damaged or foreign hash matches nothing and asks for a new one.
  CHECK_FALSE(VerifyPassword("", "x"));
  CHECK_FALSE(VerifyPassword("$argon2id$v=19$m=1,t=1,p=1$xx$yy", "x"));
  CHECK_FALSE(VerifyPassword(std::string(500, 'a'), "x"));
  CHECK(PasswordNeedsRehash("$argon2i$v=19$m=32768,t=4,p=1$c2FsdHNhbHQ$aGFzaA"));
}

TEST_CASE("a new password is refused with the reason", "[password]") {
  CHECK(PasswordProblem("correct horse battery").empty());
  CHECK(PasswordProblem("short") == "is shorter than 10 characters");
  CHECK(PasswordProblem("żółć gęśla jaźń").empty());  // characters, not bytes
  CHECK(PasswordProblem("ab\ncdefghijkl") == "contains control characters");
  CHECK(PasswordProblem(std::string("abcdefghij\xff", 11)) == "is not valid UTF-8");
  CHECK(PasswordProblem(std::string(1025, 'a')) == "is longer than 1024 bytes");
}

}  // namespace
}  // namespace frontdesk
