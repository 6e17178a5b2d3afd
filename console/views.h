// views.h: the console's queue views (Mine, Unassigned, Due within 2 h,
// Breached, All open, one per queue), each a TicketQuery sorted by what is
// due next, with the filters a URL may add (status, priority, queue, text),
// so that any view can be bookmarked; and the frame of every signed-in
// page, with each view's count. Thread-safe (pure, or reads through a
// Store it is given).
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "console/page.h"
#include "daemon/store/agent_store.h"
#include "daemon/store/ticket_list.h"

namespace frontdesk {

struct ViewSpec {
  std::string key, label;
  TicketQuery query;
};

// Every view for `agent` at `now`, in the order of the navigation.
std::vector<ViewSpec> ConsoleViews(const Config& config, const std::string& agent, Timestamp now);
// The frame of a signed-in page: the navigation with each view's count.
Result<PageFrame> MakeFrame(Store& reader, const Config& config, const SignedIn& who, Timestamp now,
                            std::string title, std::string current_view = "");

// The view a request asks for (`view`, default "mine") with its URL
// filters applied; an unknown view or filter value is an error naming it.
Result<ViewSpec> ViewOf(const httplib::Request& req, const Config& config, const std::string& agent, Timestamp now);
// A saved view's query, as ViewOf reads it.
Result<ViewSpec> SavedViewSpec(const SavedView& saved, const Config& config, const std::string& agent, Timestamp now);
// The view's URL parameters (view, status, priority, queue, q), for links
// that keep them.
std::string ViewParams(const httplib::Request& req);

}  // namespace frontdesk
