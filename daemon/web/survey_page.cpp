#include "daemon/web/survey_page.h"

#include "daemon/base/text.h"
#include "daemon/outbox/render.h"
#include "daemon/web/form_pages.h"

namespace frontdesk {
namespace {

std::string About(const SurveyView& view) {
  std::string team = view.team.empty() ? "our support team" : view.team;
  return "<p>About ticket " + std::to_string(view.ticket_id) + ", <q>" + HtmlEscape(view.subject) +
         "</q>, handled by " + HtmlEscape(team) + ".</p>";
}

}  // namespace

std::string RenderSurveyPage(const CsatConfig& csat, const SurveyView& view, const std::string& token,
                             std::optional<int> chosen, const std::string& comment, const Status& error) {
  const Survey& s = view.survey;
  std::string body = "<h1>How did we do?</h1>" + About(view);
  if (s.score) {
    body += "<p>You answered " + std::to_string(*s.score) +
            ". A new answer replaces it.</p>";
  }
  if (!error.ok()) {
    body += "<div class=\"summary\" role=\"alert\"><p><strong>" + HtmlEscape(error.field()) + ":</strong> " +
            HtmlEscape(error.message()) + "</p></div>";
  }
  body += "<form method=\"post\" action=\"/csat/" + HtmlEscape(token) + "\" accept-charset=\"UTF-8\">";
  bool score_error = !error.ok() && error.field() == "score";
  body += "<fieldset" + std::string(score_error ? " aria-invalid=\"true\"" : "") + "><legend>" +
          HtmlEscape(csat.question) + "</legend><div class=\"scale\">";
  for (int v = s.scale_min; v <= s.scale_max; ++v) {
    std::string id = "score-" + std::to_string(v);
    body += "<label for=\"" + id + "\"><input type=\"radio\" id=\"" + id + "\" name=\"score\" value=\"" +
            std::to_string(v) + "\" required" + (chosen && *chosen == v ? " checked" : "") + ">" +
            std::to_string(v) + "</label>";
  }
  body += "</div><div class=\"ends\"><span>" + std::to_string(s.scale_min) + ": " + HtmlEscape(csat.low_label) +
          "</span><span>" + std::to_string(s.scale_max) + ": " + HtmlEscape(csat.high_label) + "</span></div></fieldset>";
  if (csat.max_comment_chars > 0) {
    bool comment_error = !error.ok() && error.field() == "comment";
    body += "<label for=\"f-comment\">Anything you would like to add? <span class=\"hint\">(optional)</span></label>"
            "<textarea id=\"f-comment\" name=\"comment\" maxlength=\"" + std::to_string(csat.max_comment_chars) + "\"" +
            (comment_error ? " aria-invalid=\"true\"" : "") + ">" + HtmlEscape(comment) + "</textarea>";
  }
  body += "<button type=\"submit\">Send</button></form>";
  return RenderPage("How did we do?", body);
}

std::string RenderSurveyThanks(const CsatConfig& csat, const SurveyView& view) {
  const Survey& s = view.survey;
  std::string body = "<h1>Thank you</h1><p>" + HtmlEscape(csat.thanks_text) + "</p>" + About(view);
  if (s.score) {
    body += "<p>Your answer: " + std::to_string(*s.score) + " on a scale from " + std::to_string(s.scale_min) +
            " to " + std::to_string(s.scale_max) + ".</p>";
  }
  if (view.state == SurveyState::kOpen) {
    body += "<p>To change it, open the link in the mail again before " +
            HtmlEscape(HumanTime(view.change_until, view.zone)) + ".</p>";
  }
  return RenderPage("Thank you", body);
}

std::string RenderSurveyRefusal(const SurveyView& view) {
  switch (view.state) {
    case SurveyState::kExpired:
      return RenderMessagePage("This survey has closed",
                               "The link was valid until " + HumanTime(view.survey.expires_at, view.zone) +
                                   ". Thank you all the same. If you need more help, reply to the mail about your "
                                   "ticket.");
    case SurveyState::kClosed:
      return RenderMessagePage(
          "Already answered",
          "Your answer" + (view.survey.score ? " (" + std::to_string(*view.survey.score) + ")" : std::string()) +
              " is recorded, and the time to change it is over. Thank you.");
    default:
      return RenderMessagePage("This link does not work",
                               "It may be incomplete, or it is not one of ours. Please open the link from the "
                               "mail again, or copy the whole address into your browser.");
  }
}

int SurveyRefusalStatus(const SurveyView& view) { return view.state == SurveyState::kInvalid ? 404 : 410; }

}  // namespace frontdesk
