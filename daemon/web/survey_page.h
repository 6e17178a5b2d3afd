// survey_page.h: the HTML of the rating page: the question with one radio
// button per score, an optional comment, and the pages that answer a POST
// or a link that no longer works. Every text is escaped; no JavaScript.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "daemon/base/status.h"
#include "daemon/outbox/survey.h"

namespace frontdesk {

// The form. `chosen` and `comment` fill it in again (a ?score= link, an
// earlier answer, or a POST with an error in `error`).
std::string RenderSurveyPage(const CsatConfig& csat, const SurveyView& view, const std::string& token,
                             std::optional<int> chosen, const std::string& comment, const Status& error);
// After an answer: thanks, the answer, and until when it may change.
std::string RenderSurveyThanks(const CsatConfig& csat, const SurveyView& view);
// The page for a token that cannot be answered: kInvalid, kExpired, kClosed.
std::string RenderSurveyRefusal(const SurveyView& view);
// The HTTP status of that page: 404 for kInvalid, 410 for the others.
int SurveyRefusalStatus(const SurveyView& view);

}  // namespace frontdesk
