// survey.h: the satisfaction survey. A ticket that becomes solved gets one
// survey at most, if the customer has had none within csat.per_customer and
// is not skipped; its mail waits in the outbox for csat.delay and goes only
// if the ticket is still solved or closed then. The mail's link carries a
// token: the ticket, a random nonce kept with the survey, and an HMAC of
// both, so a link cannot be guessed from a ticket number. Looking at the
// page changes nothing (mail scanners open links); only a POST answers.
// Thread-safe (no state).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/model/ticket.h"
#include "daemon/store/csat_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

// The name of the secret survey links are signed with (SecretStore).
inline constexpr const char* kSurveySecret = "survey";

// "<ticket>.<nonce>.<mac>", safe in a URL path.
std::string SignSurveyToken(std::string_view secret, int64_t ticket_id, std::string_view nonce);
struct SurveyTokenParts {
  int64_t ticket_id = 0;
  std::string nonce;
};
// The parts of a token this installation signed, or nothing.
std::optional<SurveyTokenParts> VerifySurveyToken(std::string_view secret, std::string_view token);

// Schedules the survey of ticket `after`, just solved, when csat is on and
// the rules allow; records on the ticket why it was skipped otherwise.
Status ScheduleSurvey(Store& store, const Config& config, const Ticket& after, Timestamp now);

enum class SurveyState {
  kOpen,      // may be answered, or answered again within the window
  kInvalid,   // not a token of ours, or no such survey (any more)
  kExpired,   // never answered, and the link is past its time
  kClosed,    // answered, and the window to change the answer is over
};

// What the rating page needs.
struct SurveyView {
  SurveyState state = SurveyState::kInvalid;
  Survey survey;
  int64_t ticket_id = 0;
  std::string subject;
  std::string team;  // the queue's display name
  std::string zone;  // the zone the customer reads times in
  Timestamp change_until;  // for an answered survey in kOpen
};

// Reads the survey a token names, and what may be done with it now.
Result<SurveyView> LookUpSurvey(Store& reader, const Config& config, std::string_view token, Timestamp now);

struct SurveyAnswer {
  int score = 0;
  std::string comment;
};

// Checks an answer against the survey's scale and the comment limit; the
// error names the field ("score", "comment") and says what is wrong in
// `language` (a customer reads it on the survey page), or is Ok.
Status CheckSurveyAnswer(const CsatConfig& csat, const Survey& survey, const SurveyAnswer& answer,
                         std::string_view language = "en");

// Records `answer` for the survey `token` names, in the caller's write
// transaction: the score and comment, an event on the ticket, and for a low
// score the watch list and a mail to the queue's lead (else its agents).
// A better answer within the window takes the customer off the list for
// this ticket. Records nothing unless the survey is kOpen; the view says
// what was found.
Result<SurveyView> AnswerSurvey(Store& store, const Config& config, std::string_view token,
                                const SurveyAnswer& answer, Timestamp now);

}  // namespace frontdesk
