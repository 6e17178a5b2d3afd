#include "daemon/store/fact_codec.h"

namespace frontdesk {
namespace {

// Version 2 added each target's SLA policy.
constexpr char kVersion = 2;
enum Kind : uint8_t { kReceived = 1, kFirstResponse, kResolved, kTarget, kReopened, kSatisfaction };

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutOptional(std::string& out, const std::optional<int64_t>& v) {
  // 0 for none, else the zigzagged value plus one.
  PutVarint(out, v ? ZigZag(*v) + 1 : 0);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool done() const { return p_ == end_; }
  bool ok() const { return ok_; }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail();
  }
  int64_t Signed() { return UnZigZag(Varint()); }
  std::optional<int64_t> Optional() {
    uint64_t v = Varint();
    if (!v) return std::nullopt;
    return UnZigZag(v - 1);
  }
  std::string_view Bytes(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) {
      Fail();
      return {};
    }
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

// Walks the blob; hands facts to `sink` only when kEmit. A walk without
// emitting checks the whole blob first, so a damaged one adds nothing.
template <bool kEmit>
Status Walk(std::string_view blob, int64_t hour, FactSink* sink) {
  auto damaged = [&](const char* why) {
    return Status::Internal("KPI cache hour " + std::to_string(hour) + " is damaged: " + why);
  };
  if (blob.empty() || blob[0] != kVersion) return damaged("unknown version");
  Reader in(blob.substr(1));
  uint64_t count = in.Varint();
  if (count > blob.size()) return damaged("too many names");
  std::vector<std::string_view> names;
  names.reserve(count);
  for (uint64_t i = 0; i < count && in.ok(); ++i) names.push_back(in.Bytes(in.Varint()));
  const int64_t base = hour * 3600;
  while (in.ok() && !in.done()) {
    uint64_t kind = in.Varint();
    uint64_t offset = in.Varint(), queue = in.Varint(), agent = in.Varint();
    if (!in.ok()) break;
    if (offset >= 3600) return damaged("a time outside its hour");
    if (queue >= names.size() || agent >= names.size()) return damaged("a name out of range");
    FactOwner owner{names[queue], names[agent]};
    const int64_t at = base + static_cast<int64_t>(offset);
    switch (kind) {
      case kReceived: {
        ReceivedFact f{at, static_cast<uint8_t>(in.Varint()), in.Varint() != 0};
        if (f.channel >= kFactCodes) return damaged("an unknown channel");
        if (kEmit) sink->Received(f, owner);
        break;
      }
      case kFirstResponse: {
        FirstResponseFact f{at, in.Signed(), in.Optional()};
        if (kEmit) sink->FirstResponse(f, owner);
        break;
      }
      case kResolved: {
        ResolvedFact f;
        f.at = at;
        f.wall_seconds = in.Signed();
        f.business_seconds = in.Optional();
        f.public_replies = static_cast<int64_t>(in.Varint());
        f.reopened = static_cast<int64_t>(in.Varint());
        if (kEmit) sink->Resolved(f, owner);
        break;
      }
      case kTarget: {
        TargetFact f;
        f.at = at;
        f.ticket_id = in.Signed();
        f.target = static_cast<uint8_t>(in.Varint());
        f.breached = in.Varint() != 0;
        uint64_t policy = in.Varint();
        if (!in.ok()) break;
        if (policy >= names.size()) return damaged("a name out of range");
        f.policy = names[policy];
        if (f.target >= kFactCodes) return damaged("an unknown target");
        if (kEmit) sink->Target(f, owner);
        break;
      }
      case kReopened:
        if (kEmit) sink->Reopened(ReopenedFact{at}, owner);
        break;
      case kSatisfaction: {
        SatisfactionFact f;
        f.at = at;
        f.score = in.Signed();
        f.scale_min = in.Signed();
        f.scale_max = in.Signed();
        if (kEmit) sink->Satisfaction(f, owner);
        break;
      }
      default:
        return damaged("an unknown kind of fact");
    }
  }
  if (!in.ok()) return damaged("cut short");
  return Status::Ok();
}

}  // namespace

void HourEncoder::Begin(int kind, int64_t at, const FactOwner& o) {
  ++facts_;
  records_.push_back(static_cast<char>(kind));
  PutVarint(records_, static_cast<uint64_t>(at - hour_ * 3600));
  PutVarint(records_, Name(o.queue));
  PutVarint(records_, Name(o.agent));
}

uint64_t HourEncoder::Name(std::string_view name) {
  auto [it, added] = index_.try_emplace(std::string(name), names_.size());
  if (added) names_.emplace_back(name);
  return it->second;
}

void HourEncoder::Received(const ReceivedFact& f, const FactOwner& o) {
  Begin(kReceived, f.at, o);
  PutVarint(records_, f.channel);
  PutVarint(records_, f.escalated ? 1 : 0);
}

void HourEncoder::FirstResponse(const FirstResponseFact& f, const FactOwner& o) {
  Begin(kFirstResponse, f.at, o);
  PutVarint(records_, ZigZag(f.wall_seconds));
  PutOptional(records_, f.business_seconds);
}

void HourEncoder::Resolved(const ResolvedFact& f, const FactOwner& o) {
  Begin(kResolved, f.at, o);
  PutVarint(records_, ZigZag(f.wall_seconds));
  PutOptional(records_, f.business_seconds);
  PutVarint(records_, static_cast<uint64_t>(std::max<int64_t>(f.public_replies, 0)));
  PutVarint(records_, static_cast<uint64_t>(std::max<int64_t>(f.reopened, 0)));
}

void HourEncoder::Target(const TargetFact& f, const FactOwner& o) {
  Begin(kTarget, f.at, o);
  PutVarint(records_, ZigZag(f.ticket_id));
  PutVarint(records_, f.target);
  PutVarint(records_, f.breached ? 1 : 0);
  PutVarint(records_, Name(f.policy));
}

void HourEncoder::Reopened(const ReopenedFact& f, const FactOwner& o) { Begin(kReopened, f.at, o); }

void HourEncoder::Satisfaction(const SatisfactionFact& f, const FactOwner& o) {
  Begin(kSatisfaction, f.at, o);
  PutVarint(records_, ZigZag(f.score));
  PutVarint(records_, ZigZag(f.scale_min));
  PutVarint(records_, ZigZag(f.scale_max));
}

std::string HourEncoder::Finish() const {
  std::string out(1, kVersion);
  PutVarint(out, names_.size());
  for (const std::string& n : names_) {
    PutVarint(out, n.size());
    out += n;
  }
  return out + records_;
}

Status DecodeHour(std::string_view blob, int64_t hour, FactSink& sink) {
  Status s = Walk<false>(blob, hour, nullptr);
  if (!s.ok()) return s;
  return Walk<true>(blob, hour, &sink);
}

}  // namespace frontdesk
