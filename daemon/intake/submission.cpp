#include "daemon/intake/submission.h"


#include <algorithm>
#include <nlohmann/json.hpp>

#include "config/customer_texts.h"
#include "config/values.h"
#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/store/sla_store.h"
#include "daemon/tickets/ticket_service.h"

namespace frontdesk {
namespace {

using nlohmann::json;

constexpr size_t kMaxApiFields = 50;
constexpr size_t kMaxApiFieldChars = 2000;
constexpr size_t kMaxKeyLength = 200;

// An error a customer of the form may read: its English message is the
// English page text of `key`, so that the API and the form say the same.
FieldError Fault(const std::string& field, const char* key, std::map<std::string, std::string> values = {},
                 bool too_large = false) {
  FieldError e;
  e.field = field;
  e.message = FillText(PageText(key, "en"), values);
  e.too_large = too_large;
  e.key = key;
  e.values = std::move(values);
  return e;
}

FieldError TooLong(const std::string& field, int max_chars) {
  return Fault(field, "error.too_long", {{"max", std::to_string(max_chars)}});
}

// Whether valid UTF-8 `s` holds a C1 control character (U+0080 to U+009F,
// NEL among them) or the line and paragraph separators U+2028 and U+2029:
// a mail reader or a log may break the line there.
bool HasUnicodeBreaks(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    auto b0 = static_cast<unsigned char>(s[i]), b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xC2 && b1 >= 0x80 && b1 <= 0x9F) return true;
    if (b0 == 0xE2 && b1 == 0x80 && i + 2 < s.size() &&
        (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      return true;
    }
  }
  return false;
}

// Checks one single-line text: UTF-8, no control characters (a CR or LF in
// a subject or name would become a header injection in outgoing mail, and
// a Unicode line break splits it in readers and logs), within `max_chars`
// code points. `missing` is the key of the error for an
// empty required value.
void CheckLine(std::vector<FieldError>& errors, const std::string& field, const std::string& value,
               int max_chars, bool required, const char* missing) {
  if (!IsValidUtf8(value)) {
    errors.push_back(Fault(field, "error.not_utf8"));
    return;
  }
  if (Trim(value).empty()) {
    if (required) errors.push_back(Fault(field, missing));
    return;
  }
  if (HasControlOrLineBreak(value) || HasUnicodeBreaks(value)) {
    errors.push_back(Fault(field, "error.not_one_line"));
    return;
  }
  if (Utf8Length(value) > static_cast<size_t>(max_chars)) errors.push_back(TooLong(field, max_chars));
}

// Whether a submission comes from the public form (its fields are the
// config's, its name may be required) rather than the API (free fields, a
// queue, a priority and tags). Every channel must say which it is.
bool IsWebForm(Channel c) {
  switch (c) {
    case Channel::kWeb: return true;
    case Channel::kApi: return false;
    case Channel::kEmail: return false;
  }
  return false;
}

std::string RequestHash(const IntakeRequest& r) {
  json j = {{"channel", Name(r.channel)}, {"name", r.name},       {"email", r.email},
            {"subject", r.subject}, {"message", r.message}, {"tags", r.tags}};
  std::vector<std::pair<std::string, std::string>> fields = r.fields;
  std::sort(fields.begin(), fields.end());
  j["fields"] = fields;
  json att = json::array();
  for (const RawAttachment& a : r.attachments) att.push_back({a.filename, a.content_type, Sha256Hex(a.data)});
  j["attachments"] = att;
  if (r.queue) j["queue"] = *r.queue;
  if (r.priority) j["priority"] = *r.priority;
  if (!r.acknowledge) j["acknowledge"] = false;
  return Sha256Hex(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

std::string FieldErrorText(const FieldError& e, std::string_view language) {
  if (e.key.empty() || language == "en") return e.message;
  return FillText(PageText(e.key, language), e.values);
}

void ApplyRoute(const RouteDecision& d, NewTicket* t) {
  if (!d.queue.empty()) {
    t->queue = d.queue;
    t->route_rule = d.queue_rule;
  }
  if (!d.priority.empty()) t->priority = d.priority;
  if (!d.category.empty()) t->category = d.category;
  if (!d.assignee.empty()) t->assignee = d.assignee;
  for (const std::string& tag : d.tags) {
    if (std::find(t->tags.begin(), t->tags.end(), tag) == t->tags.end()) t->tags.push_back(tag);
  }
  t->auto_reply_suppressed = t->auto_reply_suppressed || d.suppress_auto_reply;
  t->routing.matched = d.matched;
  t->routing.queue_rule = d.queue_rule;
  t->routing.sla_policy = d.sla;
  t->routing.suppress_auto_reply = d.suppress_auto_reply;
}

std::vector<FieldError> Intake::Validate(const IntakeRequest& r, const Config& config) const {
  const FormConfig& form = config.form;
  std::vector<FieldError> errors;
  const bool web = IsWebForm(r.channel);
  CheckLine(errors, "name", r.name, form.max_name_chars, form.require_name && web, "error.name_missing");
  if (!IsValidUtf8(r.email)) {
    errors.push_back(Fault("email", "error.not_utf8"));
  } else if (Trim(r.email).empty()) {
    errors.push_back(Fault("email", "error.email_missing"));
  } else {
    Result<std::string> a = ParseMailAddress(Trim(r.email));
    if (!a.ok()) {
      // English keeps the parser's own, more precise reason.
      FieldError e = Fault("email", "error.email_invalid");
      e.message = a.status().message();
      errors.push_back(std::move(e));
    }
  }
  CheckLine(errors, "subject", r.subject, form.max_subject_chars, true, "error.subject_missing");
  if (!IsValidUtf8(r.message)) {
    errors.push_back(Fault("message", "error.not_utf8"));
  } else if (Trim(r.message).empty()) {
    errors.push_back(Fault("message", "error.message_missing"));
  } else if (HasControlChars(r.message)) {
    errors.push_back(Fault("message", "error.control_chars"));
  } else if (Utf8Length(r.message) > static_cast<size_t>(form.max_message_chars)) {
    errors.push_back(TooLong("message", form.max_message_chars));
  }

  if (r.attachments.size() > static_cast<size_t>(form.max_attachments)) {
    errors.push_back(Fault("attachment", "error.too_many_attachments",
                           {{"count", std::to_string(form.max_attachments)}}, true));
  }
  for (const RawAttachment& a : r.attachments) {
    if (static_cast<int64_t>(a.data.size()) > form.max_attachment_bytes) {
      errors.push_back(Fault("attachment", "error.attachment_too_large",
                             {{"file", SanitizeFilename(a.filename)},
                              {"bytes", std::to_string(form.max_attachment_bytes)}},
                             true));
    }
  }

  if (web) {
    for (const FormField& f : form.fields) {
      auto it = std::find_if(r.fields.begin(), r.fields.end(), [&](auto& p) { return p.first == f.name; });
      std::string value = it == r.fields.end() ? "" : it->second;
      if (f.kind == "textarea") {
        if (!IsValidUtf8(value)) errors.push_back(Fault(f.name, "error.not_utf8"));
        else if (f.required && Trim(value).empty()) errors.push_back(Fault(f.name, "error.required"));
        else if (Utf8Length(value) > static_cast<size_t>(f.max_chars)) errors.push_back(TooLong(f.name, f.max_chars));
      } else {
        CheckLine(errors, f.name, value, f.max_chars, f.required, "error.required");
      }
      if (f.kind == "select" && !value.empty() &&
          std::find(f.options.begin(), f.options.end(), value) == f.options.end()) {
        errors.push_back(Fault(f.name, "error.not_a_choice"));
      }
    }
  } else {
    if (r.fields.size() > kMaxApiFields) errors.push_back({"fields", "at most 50 fields are allowed"});
    for (const auto& [k, v] : r.fields) {
      bool name_ok = !k.empty() && k.size() <= 32 &&
                     std::all_of(k.begin(), k.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                     });
      if (!name_ok) errors.push_back({"fields", "field name \"" + k + "\" must be 1 to 32 of a-z, 0-9 and '_'"});
      else if (!IsValidUtf8(v) || v.size() > kMaxApiFieldChars)
        errors.push_back({"fields." + k, "must be valid UTF-8 of at most 2000 bytes"});
    }
    if (r.queue && !config.FindQueue(*r.queue)) errors.push_back({"queue", "unknown queue \"" + *r.queue + "\""});
    if (r.priority && !IsPriority(*r.priority)) {
      errors.push_back({"priority", "must be one of low, normal, high, urgent"});
    }
    for (const std::string& tag : r.tags) {
      Status s = ValidateTag(tag);
      if (!s.ok()) errors.push_back({"tags", s.message()});
    }
  }
  if (r.idempotency_key.size() > kMaxKeyLength || HasControlChars(r.idempotency_key) ||
      !IsValidUtf8(r.idempotency_key)) {
    errors.push_back({web ? "form_token" : "Idempotency-Key",
                      "must be at most 200 printable characters"});
  }
  return errors;
}

NewTicket Intake::BuildTicket(const IntakeRequest& r, const Config& config, const QueueConfig& queue) const {
  const bool web = IsWebForm(r.channel);
  NewTicket t;
  t.channel = r.channel;
  t.actor = r.actor;
  t.subject = std::string(Trim(r.subject));
  t.body = r.message;
  t.requester_email = *ParseMailAddress(Trim(r.email));
  t.requester_name = std::string(Trim(r.name));
  t.queue = queue.name;
  if (r.priority) t.priority = *r.priority;
  t.tags = r.tags;
  t.acknowledge = r.acknowledge;
  json fields = json::object();
  for (const auto& [k, v] : r.fields) {
    // The form keeps only the fields the config offers.
    if (web && std::none_of(config.form.fields.begin(), config.form.fields.end(),
                            [&](const FormField& f) { return f.name == k; })) {
      continue;
    }
    fields[k] = v;
  }
  t.fields_json = fields.dump();
  for (const RawAttachment& a : r.attachments) {
    t.attachments.push_back({SanitizeFilename(a.filename), NormalizeContentType(a.content_type), a.data});
  }
  t.request_sha256 = RequestHash(r);
  if (!r.idempotency_key.empty()) {
    // A public client's key is bound to its content: a double submit finds
    // its ticket, while the same token with new content (the back button,
    // then an edit) makes a new ticket instead of leaking or refusing.
    t.idempotency_key = web ? "web:" + r.idempotency_key + ":" + t.request_sha256
                            : r.key_scope + ":" + r.idempotency_key;
  }
  t.now = clock_.Now();
  return t;
}

namespace {

// The queue a submission starts in: the API's choice, the form's queue,
// then the default; routing may move it.
const QueueConfig* StartQueue(const IntakeRequest& r, const Config& config) {
  const QueueConfig* queue = r.queue ? config.FindQueue(*r.queue) : nullptr;
  if (!queue && !config.form.queue.empty()) queue = config.FindQueue(config.form.queue);
  return queue ? queue : config.DefaultQueue();
}

RouteDecision RouteSubmission(const IntakeRequest& r, const NewTicket& t, const Router& router) {
  RouteInput in;
  in.channel = std::string(Name(r.channel));
  in.from = t.requester_email;
  in.subject = t.subject;
  in.body = t.body;
  in.fields = r.fields;
  in.sender_priority = r.priority.value_or("");
  in.now = t.now;
  return router.Route(in);
}

}  // namespace

std::optional<ReplyPromise> Intake::PromiseFor(const IntakeRequest& r, const Config& config, const Router& router,
                                               const SlaEngine& sla) const {
  const QueueConfig* queue = StartQueue(r, config);
  if (!queue) return std::nullopt;
  NewTicket t = BuildTicket(r, config, *queue);
  RouteDecision d = RouteSubmission(r, t, router);
  if (d.rejected) return std::nullopt;
  ApplyRoute(d, &t);
  Ticket like;
  like.queue = t.queue;
  like.priority = t.priority;
  like.category = t.category;
  like.tags = t.tags;
  like.channel = t.channel;
  std::optional<Timestamp> due = sla.FirstResponseDueFor(like, t.routing.sla_policy, t.now);
  if (!due) return std::nullopt;
  const SlaPolicyConfig* policy = sla.Select(like, t.routing.sla_policy);
  return MakeReplyPromise(config, *due, t.queue, policy ? std::optional<std::string>(policy->name) : std::nullopt,
                          t.now);
}

Result<CreatedTicket> Intake::Submit(const IntakeRequest& r, const Config& config, const Router& router,
                                     const SlaEngine& sla) {
  std::vector<FieldError> errors = Validate(r, config);
  if (!errors.empty()) {
    const FieldError& e = errors.front();
    return e.too_large ? Status::TooLarge(e.message, e.field) : Status::Invalid(e.message, e.field);
  }
  const QueueConfig* queue = StartQueue(r, config);
  if (!queue) return Status::Unavailable("no queue is configured");
  NewTicket t = BuildTicket(r, config, *queue);
  RouteDecision d = RouteSubmission(r, t, router);
  std::string channel(Name(r.channel));
  if (d.rejected) {
    Status logged = writer_.Run([&](Store& store) {
      return SlaStore(store).AddRejection(channel, d.reject_rule, d.reject_reason, t.requester_email, t.subject, t.now);
    });
    if (!logged.ok()) return logged;
    if (metrics_) metrics_->Count("frontdesk_rejected_total", "channel", channel);
    return Status::Rejected(d.reject_reason);
  }
  ApplyRoute(d, &t);
  CreatedTicket created;
  Status s = writer_.Run([&](Store& store) -> Status {
    Result<CreatedTicket> c = TicketService(store, config, sla).Open(t);
    if (!c.ok()) return c.status();
    created = *c;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (metrics_ && !created.replayed) metrics_->TicketCreated(channel);
  return created;
}

}  // namespace frontdesk
