// survey_page.h: the HTML of the rating page: the question with one radio
// button per score, an optional comment, and the pages that answer a POST
// or a link that no longer works. Every text is escaped; no JavaScript.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/base/status.h"
#include "daemon/outbox/survey.h"

namespace frontdesk {

// Each page speaks `language`, the language of the ticket's queue
// (Config::LanguageOf); its times are in the view's zone.
//
// The form. `chosen` and `comment` fill it in again (a ?score= link, an
// earlier answer, or a POST with an error in `error`, whose message is
// shown as it is: CheckSurveyAnswer words it in `language`).
std::string RenderSurveyPage(const CsatConfig& csat, const SurveyView& view, const std::string& token,
                             std::optional<int> chosen, const std::string& comment, const Status& error,
                             std::string_view language = "en");
// After an answer: thanks, the answer, and until when it may change.
std::string RenderSurveyThanks(const CsatConfig& csat, const SurveyView& view, std::string_view language = "en");
// The page for a token that cannot be answered: kInvalid, kExpired, kClosed.
std::string RenderSurveyRefusal(const SurveyView& view, std::string_view language = "en");
// The HTTP status of that page: 404 for kInvalid, 410 for the others.
int SurveyRefusalStatus(const SurveyView& view);

}  // namespace frontdesk
