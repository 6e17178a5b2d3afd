#include "daemon/store/token_store.h"

#include <catch2/catch.hpp>

#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct Fixture {
  testing::ScratchDatabase db;
  std::unique_ptr<Store> store;
  FakeClock clock{FromUnix(1795341600)};
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> opened = Store::Open(db.location(), o);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
};

TEST_CASE("a created token authenticates with its scope", "[store][tokens]") {
  Fixture f;
  TokenStore tokens(*f.store);
  Result<NewToken> t = tokens.Create("ci", Scope::kWrite, f.clock.Now());
  REQUIRE(t.ok());
  CHECK(t->secret.rfind("fdt_" + t->info.public_id + "_", 0) == 0);
  Result<TokenInfo> who = tokens.Authenticate(t->secret, f.clock.Now());
  REQUIRE(who.ok());
  CHECK(who->name == "ci");
  CHECK(who->scope == Scope::kWrite);
}

TEST_CASE("the secret is not stored, only its hash", "[store][tokens]") {
  Fixture f;
  TokenStore tokens(*f.store);
  Result<NewToken> t = tokens.Create("ci", Scope::kRead, f.clock.Now());
  REQUIRE(t.ok());
  std::string secret = t->secret.substr(t->secret.rfind('_') + 1);
  Result<Stmt> st = f.store->db().Prepare(
      f.store->db().postgres()
          ? "SELECT count(*) FROM api_tokens WHERE position(convert_to(?1, 'UTF8') in secret_sha256) > 0 "
            "OR strpos(name, ?1) > 0 OR strpos(public_id, ?1) > 0"
          : "SELECT count(*) FROM api_tokens WHERE instr(secret_sha256, ?1) > 0 OR instr(name, ?1) > 0 "
            "OR instr(public_id, ?1) > 0");
  REQUIRE(st.ok());
  st->Bind(1, secret);
  REQUIRE(*st->Step());
  CHECK(st->Int(0) == 0);
}

TEST_CASE("bad, malformed and revoked tokens are refused alike", "[store][tokens]") {
  Fixture f;
  TokenStore tokens(*f.store);
  Result<NewToken> t = tokens.Create("ops", Scope::kAdmin, f.clock.Now());
  REQUIRE(t.ok());
  std::string wrong_secret = t->secret;
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string(""), std::string("fdt_"), std::string("fdt_x_y"),
                                 std::string("Bearer ") + t->secret, wrong_secret,
                                 std::string(10000, 'a'), std::string("fdt_' OR 1=1 --_x")}) {
    INFO(bad);
    Result<TokenInfo> r = tokens.Authenticate(bad, f.clock.Now());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kUnauthorized);
    CHECK(r.status().message() == "invalid or revoked token");
  }
  REQUIRE(tokens.Revoke("ops", f.clock.Now()).ok());
  Result<TokenInfo> r = tokens.Authenticate(t->secret, f.clock.Now());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kUnauthorized);
  // Revoking again is fine; an unknown token is not.
  CHECK(tokens.Revoke(t->info.public_id, f.clock.Now()).ok());
  CHECK(tokens.Revoke("nobody", f.clock.Now()).code() == Status::Code::kNotFound);
}

TEST_CASE("token list shows last use and revocation", "[store][tokens]") {
  Fixture f;
  TokenStore tokens(*f.store);
  Result<NewToken> a = tokens.Create("a", Scope::kRead, f.clock.Now());
  Result<NewToken> b = tokens.Create("b", Scope::kAdmin, f.clock.Now());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  f.clock.Advance(std::chrono::minutes(5));
  REQUIRE(tokens.Authenticate(a->secret, f.clock.Now()).ok());
  REQUIRE(tokens.Revoke("b", f.clock.Now()).ok());
  Result<std::vector<TokenInfo>> list = tokens.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].last_used_at == f.clock.Now());
  CHECK_FALSE((*list)[0].revoked_at.has_value());
  CHECK((*list)[1].revoked_at == f.clock.Now());
  CHECK_FALSE(tokens.Create("", Scope::kRead, f.clock.Now()).ok());
}

TEST_CASE("a second live token with the same name is refused, naming the first",
          "[store][tokens]") {
  Fixture f;
  TokenStore tokens(*f.store);
  Result<NewToken> first = tokens.Create("ops", Scope::kAdmin, f.clock.Now());
  REQUIRE(first.ok());
  f.clock.Advance(std::chrono::minutes(1));
  Result<NewToken> again = tokens.Create("ops", Scope::kRead, f.clock.Now());
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Status::Code::kConflict);
  CHECK(again.status().message() ==
        "a token named 'ops' already exists (id " + first->info.public_id +
            ", scope admin, created " + FormatRfc3339(FromUnix(1795341600)) +
            "); choose another name, or revoke that one first: frontdesk token revoke " +
            first->info.public_id);
  // Nothing was written, and the first token still works.
  REQUIRE(tokens.List()->size() == 1);
  CHECK(tokens.Authenticate(first->secret, f.clock.Now()).ok());

  // Once the first is revoked, the name is free again, and revoking by
  // name later reaches the new token.
  REQUIRE(tokens.Revoke("ops", f.clock.Now()).ok());
  Result<NewToken> second = tokens.Create("ops", Scope::kRead, f.clock.Now());
  REQUIRE(second.ok());
  REQUIRE(tokens.FindLive("ops")->has_value());
  CHECK((*tokens.FindLive("ops"))->public_id == second->info.public_id);
  REQUIRE(tokens.Revoke("ops", f.clock.Now()).ok());
  CHECK_FALSE(tokens.Authenticate(second->secret, f.clock.Now()).ok());
}

}  // namespace
}  // namespace frontdesk
