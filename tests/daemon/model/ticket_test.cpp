#include "daemon/model/ticket.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("status transitions follow the rules", "[model]") {
  using S = TicketStatus;
  struct Case {
    S from;
    S to;
    bool legal;
  };
  const Case cases[] = {
      {S::kNew, S::kOpen, true},        {S::kNew, S::kSolved, true},      {S::kOpen, S::kNew, false},
      {S::kPending, S::kOnHold, true},  {S::kSolved, S::kOpen, true},     {S::kSolved, S::kPending, false},
      {S::kSolved, S::kClosed, true},   {S::kClosed, S::kOpen, false},    {S::kClosed, S::kClosed, true},
  };
  for (const Case& c : cases) {
    INFO(Name(c.from) << " -> " << Name(c.to));
    CHECK(IsLegalTransition(c.from, c.to) == c.legal);
  }
}

TEST_CASE("statuses, kinds and channels keep their names at the edges", "[model]") {
  for (TicketStatus s : kAllStatuses) CHECK(ParseTicketStatus(Name(s)) == s);
  for (MessageKind k : {MessageKind::kCustomer, MessageKind::kReply, MessageKind::kNote, MessageKind::kAuto,
                        MessageKind::kSystem}) {
    CHECK(ParseMessageKind(Name(k)) == k);
  }
  for (Channel c : {Channel::kWeb, Channel::kEmail, Channel::kApi}) CHECK(ParseChannel(Name(c)) == c);
  CHECK_FALSE(ParseTicketStatus("bogus").has_value());
  CHECK_FALSE(ParseChannel("chat").has_value());
  CHECK(StatusList() == "new, open, pending, on_hold, solved, closed");
}

TEST_CASE("actors are labelled as the event log shows them", "[model]") {
  CHECK(Actor::Customer(Channel::kWeb, "c@example.org").label == "customer");
  CHECK(Actor::Customer(Channel::kEmail, "c@example.org").label == "mail:c@example.org");
  CHECK(Actor::Customer(Channel::kEmail, "").label == "mail");
  CHECK(Actor::AgentByMail("a@example.test").kind == ActorKind::kAgent);
  CHECK(Actor::ApiToken("deploy").label == "api:deploy");
  CHECK(Actor::System("sla:fast").kind == ActorKind::kSystem);
}

}  // namespace
}  // namespace frontdesk
