#include "config/mail_template.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

const std::vector<std::string> kKnown = {"ticket", "name", "due", "body"};

std::string Problem(std::string_view source) {
  std::optional<TemplateProblem> p = CheckTemplate(source, kKnown);
  return p ? std::to_string(p->offset) + ": " + p->message : "";
}

TEST_CASE("a template fills its places and its sections", "[template]") {
  TemplateVars v = {{"ticket", "1042"}, {"name", "Ana"}, {"due", ""}};
  CHECK(RenderTemplate("Ticket {{ticket}} for {{ name }}.", v, TemplateEscape::kText) == "Ticket 1042 for Ana.");
  CHECK(RenderTemplate("Hello{{#name}} {{name}}{{/name}}!", v, TemplateEscape::kText) == "Hello Ana!");
  CHECK(RenderTemplate("{{#due}}by {{due}}{{/due}}{{^due}}soon{{/due}}", v, TemplateEscape::kText) == "soon");
  // A variable the mail does not have renders as nothing.
  CHECK(RenderTemplate("[{{body}}]", v, TemplateEscape::kText) == "[]");
  // Sections nest.
  CHECK(RenderTemplate("{{#name}}a{{^due}}b{{/due}}c{{/name}}", v, TemplateEscape::kText) == "abc");
}

TEST_CASE("a section tag alone on its line leaves no blank line", "[template]") {
  TemplateVars v = {{"due", ""}, {"name", "Ana"}};
  CHECK(RenderTemplate("Hi\n{{#due}}\nBy {{due}}.\n{{/due}}\nBye\n", v, TemplateEscape::kText) == "Hi\nBye\n");
  v["due"] = "Tuesday";
  CHECK(RenderTemplate("Hi\n{{#due}}\nBy {{due}}.\n{{/due}}\nBye\n", v, TemplateEscape::kText) ==
        "Hi\nBy Tuesday.\nBye\n");
  CHECK(RenderTemplate("Hi\r\n{{#due}}\r\nBy {{due}}.\r\n{{/due}}\r\nBye", v, TemplateEscape::kText) ==
        "Hi\r\nBy Tuesday.\r\nBye");
}

TEST_CASE("values are escaped for where they land", "[template]") {
  TemplateVars v = {{"name", "<b>Ana & \"Bo\"</b>"}, {"body", "line one\r\nline two"}};
  CHECK(RenderTemplate("<p>{{name}}</p>", v, TemplateEscape::kHtml) ==
        "<p>&lt;b&gt;Ana &amp; &quot;Bo&quot;&lt;/b&gt;</p>");
  CHECK(RenderTemplate("{{body}}", v, TemplateEscape::kHtml) == "line one<br>\nline two");
  // A value can never start a header of its own.
  CHECK(RenderTemplate("Re: {{body}}", {{"body", "x\r\nBcc: victim@example.org"}}, TemplateEscape::kHeader) ==
        "Re: x  Bcc: victim@example.org");
  CHECK(RenderTemplate("{{body}}", v, TemplateEscape::kText) == "line one\r\nline two");
}

TEST_CASE("template mistakes are found with their offsets", "[template]") {
  CHECK(Problem("fine {{ticket}} {{#due}}x{{/due}}").empty());
  CHECK(Problem("ab {{tiket}}") ==
        "3: unknown variable \"tiket\"; this template knows ticket, name, due, body");
  CHECK(Problem("ab {{ticket") == "3: \"{{\" is not closed by \"}}\" on the same line");
  CHECK(Problem("{{ticket\n}}") == "0: \"{{\" is not closed by \"}}\" on the same line");
  CHECK(Problem("x {{}}") == "2: \"{{}}\" is not a variable; names are of a-z, 0-9 and '_'");
  CHECK(Problem("{{Ticket}}") == "0: \"{{Ticket}}\" is not a variable; names are of a-z, 0-9 and '_'");
  CHECK(Problem("{{#due}} open") == "0: the section \"due\" is never closed");
  CHECK(Problem("{{/due}}") == "0: \"{{/due}}\" closes no section");
  CHECK(Problem("{{#due}}{{#name}}{{/due}}{{/name}}") ==
        "17: \"{{/due}}\" closes the section \"name\", which is still open");
  CHECK(Problem("{{#nope}}{{/nope}}").rfind("0: unknown variable \"nope\"", 0) == 0);
}

TEST_CASE("every built-in template passes its own check", "[template]") {
  for (const std::string& kind : TemplateKinds()) {
    INFO(kind);
    const MailTemplate& t = BuiltinTemplate(kind);
    CHECK_FALSE(CheckTemplate(t.subject, TemplateVariables(kind)).has_value());
    CHECK_FALSE(CheckTemplate(t.text, TemplateVariables(kind)).has_value());
    for (const std::string& need : RequiredVariables(kind)) CHECK(UsedVariables(t.text).count(need));
    CHECK(t.subject.find('\n') == std::string::npos);
  }
}

}  // namespace
}  // namespace frontdesk
