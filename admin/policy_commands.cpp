#include "admin/policy_commands.h"

#include <fcntl.h>
#include <gmime/gmime.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/values.h"
#include "daemon/base/text.h"
#include "daemon/sla/engine.h"
#include "daemon/tickets/escalator.h"
#include "daemon/tickets/router.h"

namespace frontdesk {
namespace {

using nlohmann::json;

struct PolicyFlags {
  bool dry_run = false;
  std::string explain_file;
  std::string ticket;
  std::string at;
};

// Reads the parts routing looks at from an RFC 5322 file, with GMime.
Status ReadEml(const std::string& path, RouteInput* in) {
  static bool initialised = [] {
    g_mime_init();
    return true;
  }();
  (void)initialised;
  GMimeStream* stream = g_mime_stream_fs_open(path.c_str(), O_RDONLY, 0, nullptr);
  if (!stream) return Status::NotFound(path + ": cannot read the file");
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  if (!msg) return Status::Invalid(path + ": not a mail message");
  in->channel = "email";
  if (const char* s = g_mime_message_get_subject(msg)) in->subject = s;
  auto first_address = [](InternetAddressList* list) -> std::string {
    if (!list || internet_address_list_length(list) == 0) return "";
    InternetAddress* a = internet_address_list_get_address(list, 0);
    return INTERNET_ADDRESS_IS_MAILBOX(a) ? AsciiLower(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))) : "";
  };
  in->from = first_address(g_mime_message_get_from(msg));
  for (GMimeAddressType type : {GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC}) {
    InternetAddressList* list = g_mime_message_get_addresses(msg, type);
    for (int i = 0; list && i < internet_address_list_length(list); ++i) {
      InternetAddress* a = internet_address_list_get_address(list, i);
      if (INTERNET_ADDRESS_IS_MAILBOX(a)) in->to.push_back(AsciiLower(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))));
    }
  }
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
    const char* value = g_mime_header_get_value(h);
    in->headers.emplace_back(g_mime_header_get_name(h), value ? value : "");
  }
  if (GMimeObject* body = g_mime_message_get_body(msg); body && GMIME_IS_TEXT_PART(body)) {
    if (char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(body))) {
      in->body = text;
      g_free(text);
    }
  }
  in->sender_priority = SenderPriority(in->headers);
  g_object_unref(msg);
  return Status::Ok();
}

Status ReadJson(const std::string& path, RouteInput* in) {
  std::ifstream f(path);
  if (!f) return Status::NotFound(path + ": cannot read the file");
  std::stringstream buf;
  buf << f.rdbuf();
  json j = json::parse(buf.str(), nullptr, false);
  if (!j.is_object()) return Status::Invalid(path + ": not a JSON object");
  try {
    in->channel = j.value("channel", "web");
    in->from = AsciiLower(j.value("from", j.value("email", "")));
    if (j.contains("to")) {
      for (const json& t : j.at("to")) in->to.push_back(AsciiLower(t.get<std::string>()));
    }
    in->subject = j.value("subject", "");
    in->body = j.value("body", j.value("message", ""));
    for (const char* key : {"headers", "fields"}) {
      if (!j.contains(key)) continue;
      const json& obj = j.at(key);
      if (!obj.is_object()) return Status::Invalid(path + ": " + key + " must be an object of strings");
      for (auto it = obj.begin(); it != obj.end(); ++it) {
        (std::string_view(key) == "headers" ? in->headers : in->fields).emplace_back(it.key(), it.value().get<std::string>());
      }
    }
    in->sender_priority = j.value("priority", "");
  } catch (const json::exception& e) {
    return Status::Invalid(path + ": " + e.what());
  }
  return Status::Ok();
}

int RouteExplain(CliContext& ctx, const PolicyFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  RouteInput in;
  bool eml = f.explain_file.size() > 4 && AsciiLower(f.explain_file.substr(f.explain_file.size() - 4)) == ".eml";
  Status s = eml ? ReadEml(f.explain_file, &in) : ReadJson(f.explain_file, &in);
  if (!s.ok()) {
    std::cerr << "frontdesk: " << s.message() << "\n";
    return kExitDataErr;
  }
  in.now = ctx.clock->Now();
  if (!f.at.empty()) {
    std::optional<Timestamp> at = ParseRfc3339(f.at);
    if (!at) {
      std::cerr << "frontdesk: --at must be an RFC 3339 time\n";
      return kExitUsage;
    }
    in.now = *at;
  }
  Result<std::shared_ptr<const Router>> router = Router::Build(*config);
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(*config);
  if (!router.ok() || !sla.ok()) {
    std::cerr << "frontdesk: " << (router.ok() ? sla.status() : router.status()).message() << "\n";
    return kExitFailure;
  }
  RouteDecision d = (*router)->Route(in);
  std::cout << ExplainRoute(in, d);
  if (!d.rejected) {
    Ticket t;
    t.queue = d.queue.empty() ? (config->DefaultQueue() ? config->DefaultQueue()->name : "") : d.queue;
    t.priority = d.priority.empty() ? (in.sender_priority.empty() || in.channel != "api" ? "normal" : in.sender_priority) : d.priority;
    if (!d.category.empty()) t.category = d.category;
    t.tags = d.tags;
    t.channel = ParseChannel(in.channel).value_or(Channel::kEmail);
    const SlaPolicyConfig* p = (*sla)->Select(t, d.sla);
    std::cout << "sla: " << (p ? p->name + " v" + std::to_string(p->version) : std::string("none")) << " (queue "
              << t.queue << ", priority " << t.priority << ")\n";
  }
  return kExitOk;
}

int SlaExplain(CliContext& ctx, const PolicyFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::optional<int64_t> id;
  try {
    id = std::stoll(f.ticket);
  } catch (...) {
  }
  if (!id || *id < 1) {
    std::cerr << "frontdesk: TICKET must be a ticket number\n";
    return kExitUsage;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitFailure;
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(*config);
  if (!sla.ok()) {
    std::cerr << "frontdesk: " << sla.status().message() << "\n";
    return kExitFailure;
  }
  Timestamp now = ctx.clock->Now();
  if (!f.at.empty()) {
    std::optional<Timestamp> at = ParseRfc3339(f.at);
    if (!at) {
      std::cerr << "frontdesk: --at must be an RFC 3339 time, such as 2026-11-23T15:00:00Z\n";
      return kExitUsage;
    }
    now = *at;
  }
  // The engine computes due times from this config's calendars; when the
  // daemon has not loaded it yet, the explanation shows both due times.
  Result<std::string> text = (*sla)->Explain(*store, *id, now);
  if (!text.ok()) {
    std::cerr << "frontdesk: " << text.status().message() << "\n";
    return kExitFailure;
  }
  std::cout << *text;
  return kExitOk;
}

int Escalate(CliContext& ctx, const PolicyFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(*config);
  if (!sla.ok()) {
    std::cerr << "frontdesk: " << sla.status().message() << "\n";
    return kExitFailure;
  }
  TxnRunner run = DirectTxnRunner(*store);
  Result<SweepReport> report = RunEscalations(*store, *config, **sla, run, ctx.clock->Now(), config->escalation.batch, f.dry_run);
  if (!report.ok()) {
    std::cerr << "frontdesk: escalate: " << report.status().message() << "\n";
    return report.status().transient() ? kExitTempFail : kExitFailure;
  }
  for (const std::string& line : report->lines) std::cout << line << "\n";
  std::cout << "escalate" << (f.dry_run ? " (dry run)" : "") << ": " << report->tickets << " tickets due, "
            << report->breaches << " breaches, " << report->levels_fired << " levels "
            << (f.dry_run ? "would fire" : "fired");
  if (report->standards_fell || report->standards_recovered) {
    std::cout << ", " << report->standards_fell << " standards fell below, " << report->standards_recovered
              << " recovered";
  }
  std::cout << "\n";
  return kExitOk;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto flags = std::make_shared<PolicyFlags>();
  CLI::App* escalate = app.add_subcommand(
      "escalate",
      "One SLA sweep: record breaches, fire due escalation levels, and tell a queue's lead when it falls below a "
      "service standard. Safe beside serve and other runs.");
  escalate->add_flag("--dry-run", flags->dry_run, "Say what would happen; change nothing");
  escalate->callback([&ctx, &exit_code, flags] { exit_code = Escalate(ctx, *flags); });

  CLI::App* route = app.add_subcommand("route", "Show how the routing rules treat a request.");
  route->add_option("--explain", flags->explain_file,
                    "An .eml file, or a JSON request {channel, from, to, subject, body, headers, fields, priority}")
      ->required();
  route->add_option("--at", flags->at, "Evaluate at this RFC 3339 time instead of now (for business hours)");
  route->callback([&ctx, &exit_code, flags] { exit_code = RouteExplain(ctx, *flags); });

  CLI::App* sla = app.add_subcommand("sla", "SLA tools.");
  sla->require_subcommand(1);
  CLI::App* explain = sla->add_subcommand(
      "explain", "A ticket's SLA timeline: business time counted, time skipped, pauses, due times, levels fired.");
  explain->add_option("ticket", flags->ticket, "The ticket number")->required();
  explain->add_option("--at", flags->at, "Explain as of this RFC 3339 time instead of now");
  explain->callback([&ctx, &exit_code, flags] { exit_code = SlaExplain(ctx, *flags); });
}

}  // namespace frontdesk
