#include "console/presence.h"

namespace frontdesk {
namespace {

constexpr std::chrono::seconds kFresh{45};

}  // namespace

void Presence::Set(int64_t ticket_id, const std::string& agent, State state, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  Prune(now);
  by_ticket_[ticket_id][agent] = Entry{state, now};
}

std::vector<Presence::Mark> Presence::Others(int64_t ticket_id, const std::string& agent, Timestamp now) {
  return Others(std::vector<int64_t>{ticket_id}, agent, now)[ticket_id];
}

std::map<int64_t, std::vector<Presence::Mark>> Presence::Others(const std::vector<int64_t>& tickets,
                                                               const std::string& agent, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<int64_t, std::vector<Mark>> out;
  for (int64_t id : tickets) {
    auto t = by_ticket_.find(id);
    if (t == by_ticket_.end()) continue;
    for (const auto& [who, e] : t->second) {
      if (who != agent && now - e.at <= kFresh) out[id].push_back({who, e.state});
    }
  }
  return out;
}

void Presence::Prune(Timestamp now) {
  // At most once a minute: a page view should not walk every mark.
  if (now - last_prune_ < std::chrono::minutes(1)) return;
  last_prune_ = now;
  for (auto t = by_ticket_.begin(); t != by_ticket_.end();) {
    for (auto a = t->second.begin(); a != t->second.end();) {
      a = now - a->second.at > kFresh ? t->second.erase(a) : std::next(a);
    }
    t = t->second.empty() ? by_ticket_.erase(t) : std::next(t);
  }
}

std::string PresenceText(const std::vector<Presence::Mark>& marks) {
  std::string out;
  for (const Presence::Mark& m : marks) {
    if (!out.empty()) out += ", ";
    out += m.agent + (m.state == Presence::State::kReplying ? " is replying" : " is viewing");
  }
  return out;
}

}  // namespace frontdesk
