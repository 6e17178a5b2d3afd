#include "daemon/outbox/survey.h"

#include <re2/re2.h>

#include <nlohmann/json.hpp>

#include "config/customer_texts.h"
#include "daemon/base/locale_format.h"
#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/outbox/queue.h"
#include "daemon/outbox/render.h"
#include "daemon/store/secret_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

std::string Mac(std::string_view secret, std::string_view body) {
  std::string data = "survey";
  data += '\0';
  data += body;
  return Base64UrlEncode(HmacSha256Raw(secret, data).substr(0, 16));
}

Status Skip(Store& store, const Ticket& t, const std::string& reason, Timestamp now) {
  return TicketStore(store).AddEvent(t.id, now, "csat_skipped", "system", std::nullopt,
                                     json{{"reason", reason}}.dump());
}

std::string Scale(const Survey& s) { return std::to_string(s.scale_min) + " to " + std::to_string(s.scale_max); }

}  // namespace

std::string SignSurveyToken(std::string_view secret, int64_t ticket_id, std::string_view nonce) {
  std::string body = std::to_string(ticket_id) + "." + std::string(nonce);
  return body + "." + Mac(secret, body);
}

std::optional<SurveyTokenParts> VerifySurveyToken(std::string_view secret, std::string_view token) {
  if (secret.empty() || token.size() > 200) return std::nullopt;
  size_t first = token.find('.'), last = token.rfind('.');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  std::string_view body = token.substr(0, last), mac = token.substr(last + 1);
  if (!ConstantTimeEquals(Mac(secret, body), mac)) return std::nullopt;
  std::optional<int64_t> ticket = ParseDigits(token.substr(0, first), 15);
  if (!ticket) return std::nullopt;
  SurveyTokenParts p;
  p.ticket_id = *ticket;
  p.nonce = std::string(body.substr(first + 1));
  return p;
}

Status ScheduleSurvey(Store& store, const Config& config, const Ticket& after, Timestamp now) {
  const CsatConfig& c = config.csat;
  if (!c.enabled || after.quarantined || after.requester_email.empty()) return Status::Ok();
  CsatStore csat(store);
  Result<std::optional<Survey>> existing = csat.Get(after.id);
  if (!existing.ok()) return existing.status();
  if (*existing) return Status::Ok();  // one per ticket, however often it is solved
  if (c.skip_pattern && RE2::PartialMatch(after.requester_email, *c.skip_pattern)) {
    return Skip(store, after, "the address matches csat.skip", now);
  }
  Survey s;
  s.ticket_id = after.id;
  s.requester = after.requester_email;
  s.scheduled_at = now + c.delay;
  s.expires_at = s.scheduled_at + c.expires_after;
  s.scale_min = c.scale_min;
  s.scale_max = c.scale_max;
  s.nonce = RandomToken(12);
  if (c.per_customer.count() > 0) {
    Result<int64_t> recent = csat.CountSince(s.requester, s.scheduled_at - c.per_customer);
    if (!recent.ok()) return recent.status();
    if (*recent > 0) {
      return Skip(store, after,
                  "the customer had a survey within csat.per_customer (" +
                      std::to_string(c.per_customer.count() / 86400) + " days)",
                  now);
    }
  }
  Result<bool> added = csat.Schedule(s);
  if (!added.ok()) return added.status();
  if (!*added) return Status::Ok();
  Result<std::string> secret = SecretStore(store).GetOrCreate(kSurveySecret, now);
  if (!secret.ok()) return secret.status();
  std::string url = config.server.base_url + "/csat/" + SignSurveyToken(*secret, after.id, s.nonce);
  json vars = {{"survey_url", url},
               {"scale_min", std::to_string(s.scale_min)},
               {"scale_max", std::to_string(s.scale_max)},
               {"expires", FormatDateTime(s.expires_at, CustomerZone(config, after.queue, after.sla_policy),
                                          config.LanguageOf(after.queue))}};
  OutboxMail m;
  m.dedupe_key = "survey:" + std::to_string(after.id) + ":" + s.nonce;
  m.ticket_id = after.id;
  m.kind = "survey";
  m.automatic = true;
  m.recipient = s.requester;
  m.subject = after.subject;
  m.vars = vars.dump();
  m.now = now;
  m.send_at = s.scheduled_at;
  TicketStore tickets(store);
  Result<int64_t> q = QueueMail(store, m);
  if (!q.ok()) return q.status();
  return tickets.AddEvent(after.id, now, "csat_scheduled", "system", std::nullopt,
                          json{{"due_at", FormatRfc3339(s.scheduled_at)},
                               {"expires_at", FormatRfc3339(s.expires_at)},
                               {"outbox_id", *q}}
                              .dump());
}

Result<SurveyView> LookUpSurvey(Store& reader, const Config& config, std::string_view token, Timestamp now) {
  SurveyView view;
  Result<std::string> secret = SecretStore(reader).Get(kSurveySecret);
  if (!secret.ok()) return secret.status();
  std::optional<SurveyTokenParts> parts = VerifySurveyToken(*secret, token);
  if (!parts) return view;
  Result<std::optional<Survey>> s = CsatStore(reader).Get(parts->ticket_id);
  if (!s.ok()) return s.status();
  // The nonce must match too: a survey cancelled and scheduled again has a
  // new one, and the old link must not answer it.
  if (!*s || !ConstantTimeEquals((*s)->nonce, parts->nonce)) return view;
  Result<Ticket> t = TicketStore(reader).Get(parts->ticket_id);
  if (!t.ok()) return t.status();
  view.survey = **s;
  view.ticket_id = t->id;
  view.subject = t->subject;
  const QueueConfig* q = config.FindQueue(t->queue);
  view.team = q ? q->display_name : "";
  view.zone = CustomerZone(config, t->queue, t->sla_policy);
  const Survey& sv = view.survey;
  if (sv.first_answered_at) {
    view.change_until = std::min(*sv.first_answered_at + config.csat.change_window, sv.expires_at);
    view.state = now < view.change_until ? SurveyState::kOpen : SurveyState::kClosed;
  } else {
    view.state = now < sv.expires_at ? SurveyState::kOpen : SurveyState::kExpired;
  }
  return view;
}

Status CheckSurveyAnswer(const CsatConfig& csat, const Survey& survey, const SurveyAnswer& answer,
                         std::string_view language) {
  if (answer.score < survey.scale_min || answer.score > survey.scale_max) {
    return Status::Invalid(FillText(PageText("survey.error.score", language),
                                    {{"min", std::to_string(survey.scale_min)},
                                     {"max", std::to_string(survey.scale_max)}}),
                           "score");
  }
  if (!IsValidUtf8(answer.comment)) return Status::Invalid(PageText("survey.error.comment_utf8", language), "comment");
  size_t chars = Utf8Length(answer.comment);
  if (chars > static_cast<size_t>(csat.max_comment_chars)) {
    return Status::Invalid(FillText(PageText("survey.error.comment_long", language),
                                    {{"chars", std::to_string(chars)},
                                     {"max", std::to_string(csat.max_comment_chars)}}),
                           "comment");
  }
  return Status::Ok();
}

Result<SurveyView> AnswerSurvey(Store& store, const Config& config, std::string_view token,
                                const SurveyAnswer& answer, Timestamp now) {
  Result<SurveyView> view = LookUpSurvey(store, config, token, now);
  if (!view.ok() || view->state != SurveyState::kOpen) return view;
  Status s = CheckSurveyAnswer(config.csat, view->survey, answer);
  if (!s.ok()) return s;
  const Survey before = view->survey;
  CsatStore csat(store);
  s = csat.Answer(before.ticket_id, answer.score, answer.comment, now);
  if (!s.ok()) return s;
  TicketStore tickets(store);
  json detail = {{"score", answer.score}, {"scale_min", before.scale_min}, {"scale_max", before.scale_max},
                 {"comment", answer.comment}};
  if (before.score) detail["replaces"] = *before.score;
  s = tickets.AddEvent(before.ticket_id, now, "csat_answered", "customer", std::nullopt, detail.dump());
  if (!s.ok()) return s;
  const int low = config.csat.low_score;
  bool low_now = answer.score <= low, low_before = before.score && *before.score <= low;
  if (low_now) {
    std::string reason = "rated ticket " + std::to_string(before.ticket_id) + " " + std::to_string(answer.score) +
                         " on a scale of " + Scale(before);
    s = csat.Watch(before.requester, before.ticket_id, reason, answer.score, now);
    if (!s.ok()) return s;
    if (!low_before) {
      Result<Ticket> t = tickets.Get(before.ticket_id);
      if (!t.ok()) return t.status();
      json vars = {{"score", std::to_string(answer.score)},
                   {"scale_min", std::to_string(before.scale_min)},
                   {"scale_max", std::to_string(before.scale_max)},
                   {"comment", answer.comment},
                   {"assignee", t->assignee.value_or("")}};
      for (const std::string& to : config.LeadsOf(t->queue)) {
        OutboxMail m;
        // One alert per survey: a customer who flips between scores within
        // the change window must not flood the lead.
        m.dedupe_key = "low_score:" + std::to_string(t->id) + ":" + to;
        m.ticket_id = t->id;
        m.kind = "low_score_alert";
        m.recipient = to;
        m.subject = t->subject;
        m.vars = vars.dump();
        m.now = now;
        Result<int64_t> q = QueueMail(store, m);
        if (!q.ok()) return q.status();
      }
    }
  } else if (low_before) {
    s = csat.Unwatch(before.requester, before.ticket_id, now, "customer: a new answer of " +
                                                                std::to_string(answer.score));
    if (!s.ok()) return s;
  }
  return LookUpSurvey(store, config, token, now);
}

}  // namespace frontdesk
