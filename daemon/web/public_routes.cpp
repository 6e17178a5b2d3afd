#include "daemon/web/public_routes.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "config/customer_texts.h"
#include "daemon/base/locale_format.h"
#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/outbox/render.h"
#include "daemon/outbox/survey.h"
#include "daemon/store/ticket_list.h"
#include "daemon/store/ticket_store.h"
#include "daemon/web/form_pages.h"
#include "daemon/web/http_input.h"
#include "daemon/web/rate_limiter.h"
#include "daemon/web/serve_context.h"
#include "daemon/web/survey_page.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// Pages only this origin may frame, style or post from; no scripts at all.
void SecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                 "frame-ancestors 'none'; base-uri 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

void SendHtml(httplib::Response& res, int status, const std::string& html) {
  SecurityHeaders(res);
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

// The language of the form's queue (form.queue, else the default queue):
// the form speaks it unless the browser may choose.
std::string FormQueueLanguage(const Config& config) {
  const QueueConfig* queue = config.form.queue.empty() ? nullptr : config.FindQueue(config.form.queue);
  if (!queue) queue = config.DefaultQueue();
  return config.LanguageOf(queue ? queue->name : "");
}

// The language the form and its answers speak to this request: the form's
// queue's, or, where [locale] form_languages lets the browser choose, the
// one its Accept-Language prefers among those and the queue's own. Then
// the answer depends on that header, and says so to caches.
std::string FormLanguage(const Config& config, const httplib::Request& req, httplib::Response& res) {
  std::string own = FormQueueLanguage(config);
  if (config.locale.form_languages.empty()) return own;
  res.set_header("Vary", "Accept-Language");
  // The queue's language first: a browser that accepts anything ("*") gets it.
  std::vector<std::string> allowed = {own};
  for (const std::string& l : config.locale.form_languages) {
    if (std::find(allowed.begin(), allowed.end(), l) == allowed.end()) allowed.push_back(l);
  }
  return NegotiateLanguage(req.get_header_value("Accept-Language"), allowed, own);
}

// Reads a browser form (urlencoded or multipart) into an IntakeRequest and
// the values to show again if it has errors.
void ReadBrowserForm(const httplib::Request& req, const FormConfig& form, IntakeRequest* r,
                     FormValues* values, std::string* honeypot) {
  auto field = [&](const std::string& name) -> std::string {
    if (req.has_file(name)) return req.get_file_value(name).content;
    if (req.has_param(name)) return req.get_param_value(name);
    return "";
  };
  r->name = field("name");
  r->email = field("email");
  r->subject = field("subject");
  r->message = field("message");
  r->idempotency_key = field("form_token");
  *honeypot = field(kHoneypotField);
  for (const FormField& f : form.fields) {
    if (req.has_file(f.name) || req.has_param(f.name)) r->fields.emplace_back(f.name, field(f.name));
  }
  for (const auto& [name, file] : req.files) {
    if (name != "attachment") continue;
    if (file.filename.empty() && file.content.empty()) continue;  // an empty file input
    r->attachments.push_back({file.filename, file.content_type, file.content});
  }
  values->values = {{"name", r->name}, {"email", r->email}, {"subject", r->subject}, {"message", r->message}};
  for (const auto& [k, v] : r->fields) values->values[k] = v;
  values->token = r->idempotency_key;
}

// The form's errors as JSON: the codes and field names as they are, the
// messages in the customer's language.
json ErrorBody(const std::vector<FieldError>& errors, std::string_view language) {
  json details = json::array();
  for (const FieldError& e : errors) {
    details.push_back({{"field", e.field}, {"message", FieldErrorText(e, language)}});
  }
  const FieldError& first = errors.front();
  return {{"error",
           {{"code", first.too_large ? "too_large" : "invalid"},
            {"message", first.field + ": " + FieldErrorText(first, language)},
            {"field", first.field},
            {"details", details}}}};
}

// Refuses a browser's post sent from a page the form does not trust
// (JudgeFormSource): 403, nothing stored. It runs before the rate limit, so
// that a hostile page cannot spend its visitors' allowance either.
bool CheckSource(ServeContext& ctx, const httplib::Request& req, const Config& config,
                 const std::string& client, bool json_out, std::string_view language, httplib::Response& res) {
  auto header = [&](const char* name) {
    return req.has_header(name) ? std::optional<std::string>(req.get_header_value(name))
                                : std::nullopt;
  };
  SourceVerdict v = JudgeFormSource(header("Sec-Fetch-Site"), header("Origin"), config.form);
  if (v.allowed) return true;
  ctx.metrics.Count("frontdesk_form_origin_refused_total");
  spdlog::info(
      "web form: refused a post from {}: {}; the form takes posts from pages of {} "
      "(server.base_url) and of form.allowed_origins",
      client, v.reason, config.form.public_origin);
  if (json_out) {
    WriteError(res, 403, "forbidden", v.reason, v.header);
  } else {
    SendHtml(res, 403,
             RenderMessagePage(PageText("page.not_sent", language), PageText("submit.source_refused", language),
                               language));
  }
  return false;
}

// Takes a token from the client's rate-limit bucket (an IPv4 address or an
// IPv6 /64, RateLimitKey); answers 429 and returns false when it is empty.
bool TakeRateLimit(ServeContext& ctx, const std::string& client, bool json_out, std::string_view language,
                   httplib::Response& res) {
  std::chrono::seconds wait = ctx.form_limiter.Take(RateLimitKey(client));
  if (wait.count() <= 0) return true;
  ctx.metrics.Count("frontdesk_form_rate_limited_total");
  res.set_header("Retry-After", std::to_string(wait.count()));
  if (json_out) {
    WriteError(res, 429, "rate_limited",
               FillText(PageText("submit.rate_limited_json", language), {{"seconds", std::to_string(wait.count())}}));
  } else {
    SendHtml(res, 429,
             RenderMessagePage(PageText("page.wait", language), PageText("submit.rate_limited", language), language));
  }
  return false;
}

// Reads the request, as JSON or as a browser's form; answers 400 or 415
// and returns false when it cannot.
bool ReadSubmission(const httplib::Request& req, const FormConfig& form, IntakeRequest* r, FormValues* values,
                    std::string* honeypot, httplib::Response& res) {
  std::string ct = req.get_header_value("Content-Type");
  if (MediaTypeIs(ct, "application/json")) {
    Status s = ParseTicketJson(req.body, false, r);
    if (!s.ok()) {
      WriteError(res, s);
      return false;
    }
    if (req.has_header("Idempotency-Key")) r->idempotency_key = req.get_header_value("Idempotency-Key");
    for (auto it = r->fields.begin(); it != r->fields.end(); ++it) {
      if (it->first == kHoneypotField) {
        *honeypot = it->second;
        r->fields.erase(it);
        break;
      }
    }
    return true;
  }
  if (MediaTypeIs(ct, "application/x-www-form-urlencoded") || MediaTypeIs(ct, "multipart/form-data")) {
    ReadBrowserForm(req, form, r, values, honeypot);
    return true;
  }
  WriteError(res, 415, "unsupported_media_type",
             "send application/x-www-form-urlencoded, multipart/form-data or application/json", "Content-Type");
  return false;
}

// The promise a new ticket's customer is given. A failure to read it
// costs the customer the sentence, not the answer: the ticket is in.
std::optional<ReplyPromise> PromiseOf(ServeContext& ctx, const Config& config, int64_t ticket_id) {
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  Result<std::optional<ReplyPromise>> promise =
      store.ok() ? FirstReplyPromise(config, **store, ticket_id, ctx.clock.Now())
                 : Result<std::optional<ReplyPromise>>(store.status());
  if (promise.ok()) return *promise;
  spdlog::warn("web form: ticket {}: cannot read its reply time: {}", ticket_id, promise.status().ToString());
  return std::nullopt;
}

// A customer is told what they can act on, never the machine's state: the
// detail of a temporary failure (which process holds the database, a path)
// goes to the log only.
void WritePublicError(httplib::Response& res, const Status& s) {
  if (!s.transient() && s.code() != Status::Code::kInternal) return WriteError(res, s);
  if (s.code() == Status::Code::kInternal) spdlog::error("web form: {}", s.ToString());
  WriteError(res, HttpStatusFor(s), Status::CodeName(s.code()),
             "the helpdesk cannot take this request just now, and nothing was stored; try again shortly");
}

void AnswerSubmitted(const Result<CreatedTicket>& created, const std::optional<ReplyPromise>& promise,
                     const FormConfig& form, bool json_out, std::string_view language, httplib::Response& res) {
  if (!created.ok()) {
    const Status& s = created.status();
    if (s.transient()) spdlog::warn("web form: not accepted: {}", s.ToString());
    if (json_out) return WritePublicError(res, s);
    // A rule's reason for a reject is the operator's own words; a failure's
    // detail is the log's.
    bool failure = s.transient() || s.code() == Status::Code::kInternal;
    if (s.code() == Status::Code::kInternal) spdlog::error("web form: {}", s.ToString());
    SendHtml(res, HttpStatusFor(s),
             RenderMessagePage(PageText(s.code() == Status::Code::kRejected ? "page.not_accepted" : "page.not_sent",
                                        language),
                               failure ? PageText("submit.unavailable", language) : s.message(), language));
    if (s.transient()) res.set_header("Retry-After", "5");
    return;
  }
  if (json_out) {
    json body = {{"id", created->ticket_id}, {"number", created->ticket_id}, {"replayed", created->replayed}};
    body["first_response_due"] = promise ? json(FormatRfc3339(promise->due)) : json(nullptr);
    body["first_response_promise"] = promise ? json(promise->sentence) : json(nullptr);
    SendJson(res, created->replayed ? 200 : 201, body);
  } else {
    SendHtml(res, 200, RenderThanksPage(form, created->ticket_id, promise ? promise->sentence : "", language));
  }
}

// The number the next ticket is likely to get: one past the newest.
// Numbers start at 1001 (store/schema.cpp).
Result<CreatedTicket> LikelyNextTicket(ServeContext& ctx) {
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return store.status();
  TicketQuery newest;
  newest.limit = 1;
  Result<TicketPage> page = TicketList(**store).List(newest);
  if (!page.ok()) return page.status();
  CreatedTicket likely;
  likely.ticket_id = page->tickets.empty() ? 1001 : page->tickets.front().id + 1;
  return likely;
}

// A post that filled the honeypot is answered through AnswerSubmitted, as a
// new ticket would be, and stores nothing: a bot that compares the answers
// cannot learn to leave the field empty. The page and the JSON carry the
// number the next ticket is likely to get and the reply time such a ticket
// would be promised, so they look like any other.
// That number is the one untrue thing said. People do not fill the field:
// it is hidden, out of the tab order and closed to autofill, and the
// customers who do get a real number on the page outnumber by far anyone
// misled by one. A failure to read it is answered as a failed commit would be.
void AnswerHoneypot(ServeContext& ctx, const IntakeRequest& r, const ConfigInfo& info, bool json_out,
                    std::string_view language, httplib::Response& res) {
  std::optional<ReplyPromise> promise = ctx.intake.PromiseFor(r, *info.config, *info.router, *info.sla);
  AnswerSubmitted(LikelyNextTicket(ctx), promise, info.config->form, json_out, language, res);
}

void HandleSubmit(ServeContext& ctx, const httplib::Request& req, httplib::Response& res) {
  ConfigInfo info = ctx.config_info();
  std::shared_ptr<const Config> config = info.config;
  const FormConfig& form = config->form;
  const bool json_out = WantsJson(req);
  const std::string language = FormLanguage(*config, req, res);
  std::string client = ClientAddress(req, config->server.trusted_proxies);
  if (!CheckSource(ctx, req, *config, client, json_out, language, res)) return;
  if (!TakeRateLimit(ctx, client, json_out, language, res)) return;

  IntakeRequest r;
  r.channel = Channel::kWeb;
  r.actor = Actor::Customer(Channel::kWeb, "");
  FormValues values;
  std::string honeypot;
  if (!ReadSubmission(req, form, &r, &values, &honeypot, res)) return;

  // Errors are shown whether or not the honeypot is filled, as they would be
  // to anyone: a bot learns nothing from them, and a person whose browser
  // filled the hidden field gets a form that no longer carries it.
  std::vector<FieldError> errors = ctx.intake.Validate(r, *config);
  if (!errors.empty()) {
    bool too_large = std::any_of(errors.begin(), errors.end(), [](const FieldError& e) { return e.too_large; });
    if (json_out) return SendJson(res, too_large ? 413 : 400, ErrorBody(errors, language));
    if (values.token.empty()) values.token = RandomToken(16);
    return SendHtml(res, too_large ? 413 : 400, RenderFormPage(form, values, errors, language));
  }
  if (!honeypot.empty()) {
    ctx.metrics.Count("frontdesk_form_spam_total");
    spdlog::info("web form: honeypot filled by {}; dropped", client);
    return AnswerHoneypot(ctx, r, info, json_out, language, res);
  }
  Result<CreatedTicket> created = ctx.intake.Submit(r, *config, *info.router, *info.sla);
  std::optional<ReplyPromise> promise;
  if (created.ok()) promise = PromiseOf(ctx, *config, created->ticket_id);
  AnswerSubmitted(created, promise, form, json_out, language, res);
}

// The language of a survey's pages: that of its ticket's queue. A link
// that names no survey, and a failure to read the ticket, get the form's.
std::string SurveyLanguage(Store& reader, const Config& config, const SurveyView& view) {
  if (view.state == SurveyState::kInvalid) return FormQueueLanguage(config);
  Result<Ticket> t = TicketStore(reader).Get(view.ticket_id);
  if (!t.ok()) {
    spdlog::warn("survey page: ticket {}: cannot read its queue: {}", view.ticket_id, t.status().ToString());
    return FormQueueLanguage(config);
  }
  return config.LanguageOf(t->queue);
}

void ShowSurvey(ServeContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const Config> config = ctx.config();
  std::string token = req.matches[1];
  Result<StorePool::Lease> reader = ctx.stores.Acquire();
  Result<SurveyView> view = reader.ok() ? LookUpSurvey(**reader, *config, token, ctx.clock.Now())
                                        : Result<SurveyView>(reader.status());
  if (!view.ok()) {
    spdlog::warn("survey page: {}", view.status().ToString());
    res.set_header("Retry-After", "5");
    std::string language = FormQueueLanguage(*config);
    return SendHtml(res, 503,
                    RenderMessagePage(PageText("page.retry", language), PageText("survey.unavailable_open", language),
                                      language));
  }
  const std::string language = SurveyLanguage(**reader, *config, *view);
  if (view->state != SurveyState::kOpen) {
    return SendHtml(res, SurveyRefusalStatus(*view), RenderSurveyRefusal(*view, language));
  }
  // A link in the mail may carry a score to start from; it records nothing.
  std::optional<int> chosen = view->survey.score;
  if (req.has_param("score")) {
    std::optional<int64_t> s = ParseDigits(req.get_param_value("score"), 2);
    if (s && *s >= view->survey.scale_min && *s <= view->survey.scale_max) chosen = static_cast<int>(*s);
  }
  SendHtml(res, 200,
           RenderSurveyPage(config->csat, *view, token, chosen, view->survey.comment, Status::Ok(), language));
}

void AnswerSurveyPost(ServeContext& ctx, const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<const Config> config = ctx.config();
  std::string token = req.matches[1];
  // Until the survey is read, its ticket's language is not known.
  const std::string site_language = FormQueueLanguage(*config);
  std::string ct = req.get_header_value("Content-Type");
  if (!MediaTypeIs(ct, "application/x-www-form-urlencoded") && !MediaTypeIs(ct, "multipart/form-data")) {
    return SendHtml(res, 415,
                    RenderMessagePage(PageText("page.not_sent", site_language),
                                      PageText("survey.use_form", site_language), site_language));
  }
  auto field = [&](const std::string& name) -> std::string {
    if (req.has_file(name)) return req.get_file_value(name).content;
    return req.has_param(name) ? req.get_param_value(name) : "";
  };
  std::chrono::seconds wait =
      ctx.survey_limiter.Take(RateLimitKey(ClientAddress(req, config->server.trusted_proxies)));
  if (wait.count() > 0) {
    ctx.metrics.Count("frontdesk_csat_rate_limited_total");
    res.set_header("Retry-After", std::to_string(wait.count()));
    return SendHtml(res, 429,
                    RenderMessagePage(PageText("page.wait", site_language),
                                      PageText("survey.rate_limited", site_language), site_language));
  }
  Timestamp now = ctx.clock.Now();
  std::string language = site_language;
  auto unavailable = [&](const Status& s) {
    spdlog::warn("survey answer: {}", s.ToString());
    res.set_header("Retry-After", "5");
    SendHtml(res, 503,
             RenderMessagePage(PageText("page.retry", language), PageText("survey.unavailable_record", language),
                               language));
  };
  // Refuse what cannot be answered before asking for the writer.
  Result<StorePool::Lease> reader = ctx.stores.Acquire();
  if (!reader.ok()) return unavailable(reader.status());
  Result<SurveyView> view = LookUpSurvey(**reader, *config, token, now);
  if (!view.ok()) return unavailable(view.status());
  language = SurveyLanguage(**reader, *config, *view);
  if (view->state != SurveyState::kOpen) {
    return SendHtml(res, SurveyRefusalStatus(*view), RenderSurveyRefusal(*view, language));
  }

  std::optional<int64_t> digits = ParseDigits(Trim(field("score")), 2);
  std::optional<int> score = digits ? std::optional<int>(static_cast<int>(*digits)) : std::nullopt;
  SurveyAnswer answer;
  answer.score = score.value_or(-1);
  // Browsers send line breaks as CRLF; they are kept as LF.
  std::string comment = field("comment");
  for (char c : Trim(comment)) {
    if (c != '\r') answer.comment += c;
  }
  Status bad = CheckSurveyAnswer(config->csat, view->survey, answer, language);
  if (!bad.ok()) {
    return SendHtml(res, 400, RenderSurveyPage(config->csat, *view, token, score, answer.comment, bad, language));
  }
  Result<SurveyView> after = Status::Internal("not run");
  Status s = ctx.writer.Run([&](Store& store) -> Status {
    after = AnswerSurvey(store, *config, token, answer, now);
    return after.status();
  });
  if (!s.ok()) {
    if (!s.transient() && !s.field().empty()) {
      return SendHtml(res, 400, RenderSurveyPage(config->csat, *view, token, score, answer.comment, s, language));
    }
    return unavailable(s);
  }
  if (after->state != SurveyState::kOpen) {
    return SendHtml(res, SurveyRefusalStatus(*after), RenderSurveyRefusal(*after, language));
  }
  spdlog::info("survey: ticket {} rated {}", after->ticket_id, answer.score);
  SendHtml(res, 200, RenderSurveyThanks(config->csat, *after, language));
}

}  // namespace

void RegisterPublicRoutes(HttpServer& server, ServeContext& ctx) {
  server.Get("/", "/", [&ctx](const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<const Config> config = ctx.config();
    std::string language = FormLanguage(*config, req, res);
    FormValues values;
    values.token = RandomToken(16);
    SendHtml(res, 200, RenderFormPage(config->form, values, {}, language));
  });

  server.PostForm("/tickets", "/tickets", [&ctx](const httplib::Request& req, httplib::Response& res) {
    HandleSubmit(ctx, req, res);
  });

  server.Get(R"(/csat/([\s\S]+))", "/csat/{token}", [&ctx](const httplib::Request& req, httplib::Response& res) {
    ShowSurvey(ctx, req, res);
  });
  server.Post(R"(/csat/([\s\S]+))", "/csat/{token}", [&ctx](const httplib::Request& req, httplib::Response& res) {
    AnswerSurveyPost(ctx, req, res);
  });

  // Says only whether the service can take a ticket now: the database
  // answers, and takes writes.
  server.Get("/healthz", "/healthz", [&ctx](const httplib::Request&, httplib::Response& res) {
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    Status s = store.ok() ? (*store)->SchemaVersion().status() : store.status();
    if (!s.ok()) {
      res.status = 503;
      res.set_content(R"({"status":"unavailable"})", "application/json");
      return;
    }
    // Readable but not writable (a read-only file system, a full disk): no
    // ticket can be taken, so a load balancer must not send customers here.
    if (!ctx.writer.write_error().empty()) {
      res.status = 503;
      res.set_content(R"({"status":"degraded"})", "application/json");
      return;
    }
    res.set_content(R"({"status":"ok"})", "application/json");
  });
}

}  // namespace frontdesk
