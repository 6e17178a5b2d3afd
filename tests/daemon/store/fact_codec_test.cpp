#include "daemon/store/fact_codec.h"

#include <catch2/catch.hpp>

#include <random>

namespace frontdesk {
namespace {

// Writes every fact it gets as one line, owner included.
class Lines : public FactSink {
 public:
  std::vector<std::string> lines;

  void Received(const ReceivedFact& f, const FactOwner& o) override {
    Add(o, "received", f.at, f.channel, f.escalated);
  }
  void FirstResponse(const FirstResponseFact& f, const FactOwner& o) override {
    Add(o, "first", f.at, f.wall_seconds, f.business_seconds.value_or(-999));
  }
  void Resolved(const ResolvedFact& f, const FactOwner& o) override {
    Add(o, "resolved", f.at, f.wall_seconds, f.business_seconds.value_or(-999), f.public_replies, f.reopened);
  }
  void Target(const TargetFact& f, const FactOwner& o) override {
    Add(o, "target", f.at, f.ticket_id, f.target, f.breached);
    lines.back() += " policy=" + std::string(f.policy);
  }
  void Reopened(const ReopenedFact& f, const FactOwner& o) override { Add(o, "reopened", f.at); }
  void Satisfaction(const SatisfactionFact& f, const FactOwner& o) override {
    Add(o, "csat", f.at, f.score, f.scale_min, f.scale_max);
  }

 private:
  template <typename... V>
  void Add(const FactOwner& o, const char* kind, V... values) {
    std::string line = std::string(kind) + " " + std::string(o.queue) + "/" + std::string(o.agent);
    ((line += " " + std::to_string(values)), ...);
    lines.push_back(line);
  }
};

constexpr int64_t kHour = 492000;  // 2026-02-15 00:00 UTC
constexpr int64_t kBase = kHour * 3600;

void FeedAll(FactSink& s) {
  FactOwner support{"support", ""}, billing{"billing", "ann@example.test"};
  s.Received({kBase, 1, true}, support);
  s.Received({kBase + 3599, 2, false}, billing);
  s.FirstResponse({kBase + 10, 86400 * 40, std::nullopt}, support);
  s.FirstResponse({kBase + 11, -5, 0}, billing);  // a clock set back
  s.Resolved({kBase + 12, 7200, 3600, 1, 0}, billing);
  s.Resolved({kBase + 13, 1, std::nullopt, 0, 3}, support);
  s.Target({kBase + 14, 1001, 0, true, "standard"}, support);
  s.Target({kBase + 15, 9007199254740993, 2, false, ""}, billing);
  s.Reopened({kBase + 16}, support);
  s.Satisfaction({kBase + 17, 0, 0, 10}, billing);
  s.Satisfaction({kBase + 18, 5, 1, 5}, support);
}

TEST_CASE("an hour's facts come back as they went in, owners included") {
  HourEncoder e(kHour);
  FeedAll(e);
  Lines want, got;
  FeedAll(want);
  REQUIRE(e.facts() == 11);
  std::string blob = e.Finish();
  REQUIRE(DecodeHour(blob, kHour, got).ok());
  CHECK(got.lines == want.lines);
  // Two names and their indexes instead of repeating them: a few bytes a fact.
  CHECK(blob.size() < 11 * 16);
}

TEST_CASE("an empty hour is a valid blob") {
  HourEncoder e(kHour);
  Lines got;
  REQUIRE(DecodeHour(e.Finish(), kHour, got).ok());
  CHECK(got.lines.empty());
}

TEST_CASE("a damaged blob gives an error naming the hour and hands out no fact") {
  HourEncoder e(kHour);
  FeedAll(e);
  const std::string blob = e.Finish();
  auto refused = [&](const std::string& b, const std::string& why) {
    Lines got;
    Status s = DecodeHour(b, kHour, got);
    INFO(why);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("KPI cache hour 492000 is damaged: " + why) != std::string::npos);
    CHECK(got.lines.empty());
  };
  refused("", "unknown version");
  refused(std::string(1, '\x07') + blob.substr(1), "unknown version");
  // Cut anywhere inside a record: nothing of the hour is used.
  for (size_t n = 1; n < blob.size(); ++n) {
    Lines got;
    Status s = DecodeHour(blob.substr(0, n), kHour, got);
    if (s.ok()) continue;  // cut exactly between records: a shorter hour
    CHECK(got.lines.empty());
  }
  refused(blob.substr(0, blob.size() - 1), "cut short");
  refused(blob + std::string("\x09\x00\x00\x00", 4), "an unknown kind of fact");
  // A record placed at second 3600 of its hour.
  refused(blob + std::string("\x06\x90\x1c\x00\x00", 5), "a time outside its hour");
  refused(blob + std::string("\x06\x01\x05\x00", 4), "a name out of range");
  refused(blob + std::string("\x01\x01\x00\x00\x07\x00", 6), "an unknown channel");
  refused(blob + std::string("\x04\x01\x00\x00\x02\x09\x00\x00", 8), "an unknown target");
  refused(blob + std::string("\x04\x01\x00\x00\x02\x00\x00\x09", 8), "a name out of range");
  // Version 1 hours had no policy on their targets; schema v13 emptied the
  // cache, and an hour left over is read from the tables.
  refused(std::string(1, '\x01') + blob.substr(1), "unknown version");
}

TEST_CASE("random bytes never crash the decoder") {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string b(rng() % 64, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    if (!b.empty() && rng() % 2) b[0] = 2;
    Lines got;
    Status s = DecodeHour(b, kHour, got);
    if (!s.ok()) CHECK(got.lines.empty());
  }
}

}  // namespace
}  // namespace frontdesk
