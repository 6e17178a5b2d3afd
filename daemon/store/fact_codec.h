// fact_codec.h: one UTC hour of report facts as a compact blob, the form
// the KPI cache (schema v9, kpi_hours) keeps them in. A blob starts with a
// version byte and the hour's names (queues, assignees and SLA policies);
// then one record per fact: a kind byte, the seconds into the hour, the
// owner's name indexes, and the fact's fields as LEB128 varints (signed
// ones zigzagged). About 8 bytes a fact, against a few hundred for the rows
// they come from.
// Not thread-safe per object; the functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/store/report_facts.h"

namespace frontdesk {

// Collects the facts of one hour (each `at` in [hour * 3600, + 3600)).
class HourEncoder : public FactSink {
 public:
  explicit HourEncoder(int64_t hour) : hour_(hour) {}

  void Received(const ReceivedFact& f, const FactOwner& o) override;
  void FirstResponse(const FirstResponseFact& f, const FactOwner& o) override;
  void Resolved(const ResolvedFact& f, const FactOwner& o) override;
  void Target(const TargetFact& f, const FactOwner& o) override;
  void Reopened(const ReopenedFact& f, const FactOwner& o) override;
  void Satisfaction(const SatisfactionFact& f, const FactOwner& o) override;

  int64_t facts() const { return facts_; }
  std::string Finish() const;

 private:
  void Begin(int kind, int64_t at, const FactOwner& o);
  uint64_t Name(std::string_view name);

  int64_t hour_;
  int64_t facts_ = 0;
  std::string records_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint64_t> index_;
};

// Hands every fact of `blob` to `sink`, or, if the blob is damaged (cut,
// an unknown kind or version, a time outside its hour), none of them and
// an error.
Status DecodeHour(std::string_view blob, int64_t hour, FactSink& sink);

}  // namespace frontdesk
