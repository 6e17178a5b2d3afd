#include "daemon/outbox/survey.h"

#include <catch2/catch.hpp>

#include "daemon/web/survey_page.h"

namespace frontdesk {
namespace {

const std::string kSecret(32, 's');

TEST_CASE("a survey token names its ticket and nonce, and nothing else verifies", "[csat]") {
  std::string token = SignSurveyToken(kSecret, 1042, "n0nce_-x");
  CHECK(token.rfind("1042.n0nce_-x.", 0) == 0);
  std::optional<SurveyTokenParts> p = VerifySurveyToken(kSecret, token);
  REQUIRE(p);
  CHECK(p->ticket_id == 1042);
  CHECK(p->nonce == "n0nce_-x");
  std::string mac = token.substr(token.rfind('.') + 1);
  CHECK(mac.size() == 22);
  CHECK_FALSE(VerifySurveyToken(std::string(32, 'x'), token));  // another installation
  CHECK_FALSE(VerifySurveyToken(kSecret, "1043.n0nce_-x." + mac));
  CHECK_FALSE(VerifySurveyToken(kSecret, "1042.other." + mac));
  CHECK_FALSE(VerifySurveyToken(kSecret, token.substr(0, token.size() - 1)));
  CHECK_FALSE(VerifySurveyToken(kSecret, "1042." + mac));
  CHECK_FALSE(VerifySurveyToken(kSecret, ".n0nce_-x." + mac));
  CHECK_FALSE(VerifySurveyToken(kSecret, ""));
  CHECK_FALSE(VerifySurveyToken("", token));
  CHECK_FALSE(VerifySurveyToken(kSecret, std::string(300, '1')));
  // A signed body whose ticket part is not a number is still refused.
  std::string odd = SignSurveyToken(kSecret, 0, "x");
  CHECK(VerifySurveyToken(kSecret, "1x" + odd.substr(1)) == std::nullopt);
}

TEST_CASE("an answer must be on the survey's own scale, and a comment fit", "[csat]") {
  CsatConfig c;
  c.max_comment_chars = 5;
  Survey s;
  s.scale_min = 0;
  s.scale_max = 10;
  CHECK(CheckSurveyAnswer(c, s, {0, ""}).ok());
  CHECK(CheckSurveyAnswer(c, s, {10, "héllo"}).ok());  // five characters, six bytes
  Status high = CheckSurveyAnswer(c, s, {11, ""});
  CHECK(high.field() == "score");
  CHECK(high.message() == "choose a score from 0 to 10");
  CHECK(CheckSurveyAnswer(c, s, {-1, ""}).field() == "score");
  Status longer = CheckSurveyAnswer(c, s, {5, "123456"});
  CHECK(longer.field() == "comment");
  CHECK(longer.message() == "is 6 characters; at most 5 fit");
  CHECK(CheckSurveyAnswer(c, s, {5, std::string("\xff\xfe", 2)}).field() == "comment");
}

TEST_CASE("the rating page escapes every text and needs no script", "[csat][html]") {
  CsatConfig c;
  c.question = "Was \"it\" <good>?";
  c.low_label = "<bad>";
  SurveyView v;
  v.state = SurveyState::kOpen;
  v.ticket_id = 7;
  v.subject = "</q><script>alert(1)</script>";
  v.team = "A & B";
  v.survey.scale_min = 1;
  v.survey.scale_max = 5;
  v.survey.score = 2;
  std::string html = RenderSurveyPage(c, v, "7.n.m", 3, "</textarea><img src=x>",
                                      Status::Invalid("<choose>", "score"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;/q&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("handled by A &amp; B") != std::string::npos);
  CHECK(html.find("Was &quot;it&quot; &lt;good&gt;?") != std::string::npos);
  CHECK(html.find("1: &lt;bad&gt;") != std::string::npos);
  CHECK(html.find("&lt;/textarea&gt;&lt;img src=x&gt;</textarea>") != std::string::npos);
  CHECK(html.find("&lt;choose&gt;") != std::string::npos);
  CHECK(html.find("value=\"3\" required checked") != std::string::npos);
  CHECK(html.find("You answered 2.") != std::string::npos);
  CHECK(html.find("action=\"/csat/7.n.m\"") != std::string::npos);
}

TEST_CASE("a refused link says why, with the status to match", "[csat][html]") {
  SurveyView v;
  v.zone = "Europe/Berlin";
  v.survey.expires_at = FromUnix(1795341600);
  CHECK(SurveyRefusalStatus(v) == 404);
  CHECK(RenderSurveyRefusal(v).find("This link does not work") != std::string::npos);
  v.state = SurveyState::kExpired;
  CHECK(SurveyRefusalStatus(v) == 410);
  CHECK(RenderSurveyRefusal(v).find("The link was valid until Sunday 22 November 2026, 11:00 CET.") !=
        std::string::npos);
  v.state = SurveyState::kClosed;
  v.survey.score = 4;
  CHECK(RenderSurveyRefusal(v).find("Your answer (4) is recorded") != std::string::npos);
}

}  // namespace
}  // namespace frontdesk
