#include "daemon/web/survey_page.h"

#include "config/customer_texts.h"
#include "daemon/base/locale_format.h"
#include "daemon/base/text.h"
#include "daemon/web/form_pages.h"

namespace frontdesk {
namespace {

// The built-in words of `key`, escaped for HTML.
std::string Words(std::string_view key, std::string_view language) { return HtmlEscape(PageText(key, language)); }

std::string About(const SurveyView& view, std::string_view language) {
  std::string team = view.team.empty() ? PageText("survey.about_team", language) : view.team;
  return "<p>" +
         FillText(Words("survey.about", language), {{"ticket", std::to_string(view.ticket_id)},
                                                    {"subject", "<q>" + HtmlEscape(view.subject) + "</q>"},
                                                    {"team", HtmlEscape(team)}}) +
         "</p>";
}

// The name of the field an answer's error is about, in the customer's words.
std::string FieldName(const std::string& field, std::string_view language) {
  if (field == "score" || field == "comment") return PageText("survey.field." + field, language);
  return field;
}

std::string When(Timestamp t, const SurveyView& view, std::string_view language) {
  return FormatDateTime(t, view.zone, language);
}

}  // namespace

std::string RenderSurveyPage(const CsatConfig& csat, const SurveyView& view, const std::string& token,
                             std::optional<int> chosen, const std::string& comment, const Status& error,
                             std::string_view language) {
  const CsatConfig defaults;
  const Survey& s = view.survey;
  std::string title = PageText("survey.title", language);
  std::string body = "<h1>" + HtmlEscape(title) + "</h1>" + About(view, language);
  if (s.score) {
    body += "<p>" + FillText(Words("survey.previous", language), {{"score", std::to_string(*s.score)}}) + "</p>";
  }
  if (!error.ok()) {
    body += "<div class=\"summary\" role=\"alert\"><p><strong>" + HtmlEscape(FieldName(error.field(), language)) +
            ":</strong> " + HtmlEscape(error.message()) + "</p></div>";
  }
  body += "<form method=\"post\" action=\"/csat/" + HtmlEscape(token) + "\" accept-charset=\"UTF-8\">";
  bool score_error = !error.ok() && error.field() == "score";
  body += "<fieldset" + std::string(score_error ? " aria-invalid=\"true\"" : "") + "><legend>" +
          HtmlEscape(OperatorOrBuiltin(csat.question, defaults.question, "survey.question", language)) +
          "</legend><div class=\"scale\">";
  for (int v = s.scale_min; v <= s.scale_max; ++v) {
    std::string id = "score-" + std::to_string(v);
    body += "<label for=\"" + id + "\"><input type=\"radio\" id=\"" + id + "\" name=\"score\" value=\"" +
            std::to_string(v) + "\" required" + (chosen && *chosen == v ? " checked" : "") + ">" +
            std::to_string(v) + "</label>";
  }
  body += "</div><div class=\"ends\"><span>" + std::to_string(s.scale_min) + ": " +
          HtmlEscape(OperatorOrBuiltin(csat.low_label, defaults.low_label, "survey.low", language)) +
          "</span><span>" + std::to_string(s.scale_max) + ": " +
          HtmlEscape(OperatorOrBuiltin(csat.high_label, defaults.high_label, "survey.high", language)) +
          "</span></div></fieldset>";
  if (csat.max_comment_chars > 0) {
    bool comment_error = !error.ok() && error.field() == "comment";
    body += "<label for=\"f-comment\">" + Words("survey.comment_label", language) + " <span class=\"hint\">" +
            Words("form.optional", language) +
            "</span></label>"
            "<textarea id=\"f-comment\" name=\"comment\" maxlength=\"" +
            std::to_string(csat.max_comment_chars) + "\"" + (comment_error ? " aria-invalid=\"true\"" : "") + ">" +
            HtmlEscape(comment) + "</textarea>";
  }
  body += "<button type=\"submit\">" + Words("survey.send", language) + "</button></form>";
  return RenderPage(title, body, language);
}

std::string RenderSurveyThanks(const CsatConfig& csat, const SurveyView& view, std::string_view language) {
  const CsatConfig defaults;
  const Survey& s = view.survey;
  std::string title = PageText("survey.thanks_title", language);
  std::string body =
      "<h1>" + HtmlEscape(title) + "</h1><p>" +
      HtmlEscape(OperatorOrBuiltin(csat.thanks_text, defaults.thanks_text, "survey.thanks_text", language)) +
      "</p>" + About(view, language);
  if (s.score) {
    body += "<p>" +
            HtmlEscape(FillText(PageText("survey.your_answer", language), {{"score", std::to_string(*s.score)},
                                                                           {"min", std::to_string(s.scale_min)},
                                                                           {"max", std::to_string(s.scale_max)}})) +
            "</p>";
  }
  if (view.state == SurveyState::kOpen) {
    body += "<p>" +
            HtmlEscape(FillText(PageText("survey.change_until", language),
                                {{"when", When(view.change_until, view, language)}})) +
            "</p>";
  }
  return RenderPage(title, body, language);
}

std::string RenderSurveyRefusal(const SurveyView& view, std::string_view language) {
  switch (view.state) {
    case SurveyState::kExpired:
      return RenderMessagePage(
          PageText("survey.expired_title", language),
          FillText(PageText("survey.expired", language), {{"when", When(view.survey.expires_at, view, language)}}),
          language);
    case SurveyState::kClosed:
      return RenderMessagePage(
          PageText("survey.closed_title", language),
          view.survey.score
              ? FillText(PageText("survey.closed", language), {{"score", std::to_string(*view.survey.score)}})
              : PageText("survey.closed_no_score", language),
          language);
    default:
      return RenderMessagePage(PageText("survey.invalid_title", language), PageText("survey.invalid", language),
                               language);
  }
}

int SurveyRefusalStatus(const SurveyView& view) { return view.state == SurveyState::kInvalid ? 404 : 410; }

}  // namespace frontdesk
