// views.h: the console's queue views (Mine, Unassigned, Due within 2 h,
// Breached, All open, one per queue), each a TicketQuery sorted by what is
// due next, with the filters a URL may add (status, priority, queue, text),
// so that any view can be bookmarked; and the frame of every signed-in
// page, with each view's count. Thread-safe (pure, or reads through a
// Store it is given).
#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "console/page.h"
#include "daemon/store/agent_store.h"
#include "daemon/store/ticket_list.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {

// The navigation's counts, kept per agent until a ticket or a saved view
// changes (AgentStore::NavMark) or for 5 seconds at most (time alone moves
// tickets into Due and Breached): counting every view for every page would
// cost more than the page itself. Thread-safe.
class NavCache {
 public:
  std::optional<std::vector<NavItem>> Get(const std::string& agent, uint64_t generation, const std::string& mark,
                                          Timestamp now);
  void Put(const std::string& agent, uint64_t generation, std::string mark, Timestamp now,
           std::vector<NavItem> items);

 private:
  struct Entry {
    uint64_t generation = 0;
    std::string mark;
    Timestamp at;
    std::vector<NavItem> items;
  };
  std::mutex mu_;
  std::map<std::string, Entry> by_agent_;
};

struct ViewSpec {
  std::string key, label;
  TicketQuery query;
};

// Every view for `agent` at `now`, in the order of the navigation.
std::vector<ViewSpec> ConsoleViews(const Config& config, const std::string& agent, Timestamp now);
// The frame of a signed-in page: the navigation with each view's count.
Result<PageFrame> MakeFrame(Store& reader, const ConfigInfo& info, NavCache& nav, const SignedIn& who, Timestamp now,
                            std::string title, std::string current_view = "");

// What a signed-in page starts from: the config, the time, a reader and
// the frame with the navigation.
struct PageStart {
  ConfigInfo info;
  Timestamp now;
  std::optional<StorePool::Lease> store;
  PageFrame frame;
};
// None when the database cannot be read; the 503 page is sent then.
std::optional<PageStart> StartPage(ServeContext& ctx, NavCache& nav, const SignedIn& who, std::string title,
                                   httplib::Response& res, std::string current_view = "");

// The view a request asks for (`view`, default "mine") with its URL
// filters applied; an unknown view or filter value is an error naming it.
Result<ViewSpec> ViewOf(const httplib::Request& req, const Config& config, const std::string& agent, Timestamp now);
// A saved view's query, as ViewOf reads it.
Result<ViewSpec> SavedViewSpec(const SavedView& saved, const Config& config, const std::string& agent, Timestamp now);
// The view's URL parameters (view, status, priority, queue, q), for links
// that keep them.
std::string ViewParams(const httplib::Request& req);

}  // namespace frontdesk
