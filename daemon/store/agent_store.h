// agent_store.h: the console's accounts and sessions (schema v14): each
// agent's password hash, the sessions (kept as the SHA-256 of their secret,
// so a copy of the database logs nobody in), and what each agent last saw
// of a ticket; and the saved views of the queue page. Not thread-safe;
// bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct ConsoleSession {
  std::string id_hash;  // hex SHA-256 of the cookie's secret
  std::string agent;
  std::string csrf;     // the token every form of this session carries
  Timestamp created_at, last_seen_at;
  std::string address, user_agent;  // where it logged in from
};

// The newest event and message an agent had seen of a ticket.
// A named filter of the queue page.
struct SavedView {
  int64_t id = 0;
  std::optional<std::string> owner;  // none: shared with every agent
  std::string name, params;          // params: the view's URL query
  std::string created_by;
};

struct TicketRead {
  int64_t last_event = 0, last_message = 0;
  Timestamp at;
};

class AgentStore {
 public:
  explicit AgentStore(Store& store) : db_(store.db()) {}

  Result<std::optional<std::string>> PasswordHash(const std::string& agent);
  Status SetPassword(const std::string& agent, const std::string& hash, Timestamp now);
  // Agents with a password, in order.
  Result<std::vector<std::string>> AgentsWithPasswords();

  Status AddSession(const ConsoleSession& s);
  Result<std::optional<ConsoleSession>> FindSession(const std::string& id_hash);
  Status TouchSession(const std::string& id_hash, Timestamp now);
  // Ends one session, or every session of an agent; returns how many.
  Result<int64_t> EndSession(const std::string& id_hash);
  Result<int64_t> EndSessions(const std::string& agent);
  // Ends sessions idle since `idle_before` or made before `made_before`.
  Result<int64_t> EndExpired(Timestamp idle_before, Timestamp made_before);
  Result<std::vector<ConsoleSession>> Sessions(const std::string& agent);

  // The agent's own views and the shared ones, shared first, by name.
  Result<std::vector<SavedView>> SavedViews(const std::string& agent);
  // Adds a view; a name the agent (or, for a shared one, everyone) has
  // already used is kConflict.
  Result<int64_t> AddSavedView(const SavedView& v, Timestamp now);
  // Deletes a view `agent` may delete: its own, or a shared one it made or
  // when `may_delete_shared`. Returns whether one was deleted.
  Result<bool> DeleteSavedView(int64_t id, const std::string& agent, bool may_delete_shared);

  // What the console's navigation counts depend on, as one opaque mark: the
  // newest event (every change to a ticket writes one) and the saved
  // views. Two reads of the rowid's end; no scan.
  Result<std::string> NavMark();

  Result<std::optional<TicketRead>> LastRead(const std::string& agent, int64_t ticket_id);
  Status MarkRead(const std::string& agent, int64_t ticket_id, const TicketRead& read);

 private:
  Db& db_;
};

}  // namespace frontdesk
