#include "console/login_throttle.h"

#include <algorithm>
#include <vector>

namespace frontdesk {
namespace {

constexpr int kFree = 3;  // failures in a row before any wait
constexpr std::chrono::seconds kMaxWait{300};
constexpr std::chrono::hours kForget{1};
constexpr size_t kMaxEntries = 100000;  // a flood of addresses cannot grow it without bound

}  // namespace

std::chrono::seconds LoginThrottle::Wait(const Entry& e, Timestamp now) {
  if (e.failures < kFree) return std::chrono::seconds(0);
  int doublings = std::min(e.failures - kFree, 16);
  std::chrono::seconds wait = std::min<std::chrono::seconds>(std::chrono::seconds(1LL << doublings), kMaxWait);
  // Times are whole seconds: a failure counts as at the end of its second,
  // so a wait is never shorter than it says (at most a second longer).
  auto passed = std::chrono::duration_cast<std::chrono::seconds>(now - e.last) - std::chrono::seconds(1);
  return passed >= wait ? std::chrono::seconds(0) : wait - passed;
}

std::chrono::seconds LoginThrottle::WaitFor(const std::string& address, const std::string& account, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::chrono::seconds wait(0);
  auto a = by_address_.find(address);
  if (a != by_address_.end()) wait = std::max(wait, Wait(a->second, now));
  auto b = by_account_.find(account);
  if (b != by_account_.end()) wait = std::max(wait, Wait(b->second, now));
  return wait;
}

void LoginThrottle::Prune(std::map<std::string, Entry>& m, Timestamp now) {
  if (m.size() < kMaxEntries) return;
  for (auto it = m.begin(); it != m.end();) {
    it = now - it->second.last > kForget ? m.erase(it) : std::next(it);
  }
  // Still full of recent failures: the oldest half goes.
  if (m.size() >= kMaxEntries) {
    std::vector<std::pair<Timestamp, std::string>> by_age;
    for (const auto& [k, e] : m) by_age.emplace_back(e.last, k);
    std::sort(by_age.begin(), by_age.end());
    for (size_t i = 0; i < by_age.size() / 2; ++i) m.erase(by_age[i].second);
  }
}

void LoginThrottle::Failed(const std::string& address, const std::string& account, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto* m : {&by_address_, &by_account_}) {
    Prune(*m, now);
    Entry& e = (*m)[m == &by_address_ ? address : account];
    if (now - e.last > kForget) e.failures = 0;
    ++e.failures;
    e.last = now;
  }
}

void LoginThrottle::Succeeded(const std::string& address, const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  by_address_.erase(address);
  by_account_.erase(account);
}

}  // namespace frontdesk
