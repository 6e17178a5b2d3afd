#include "daemon/mail/html_text.h"

#include <catch2/catch.hpp>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

TEST_CASE("named and numeric entities are decoded", "[mail][html]") {
  CHECK(HtmlToText("gro&szlig;es Gl&uuml;ck") ==
        "gro\xC3\x9F"
        "es Gl\xC3\xBC"
        "ck");
  CHECK(HtmlToText("&#8364; 5 = &#x20AC; 5 = &euro; 5") ==
        "\xE2\x82\xAC 5 = \xE2\x82\xAC 5 = \xE2\x82\xAC 5");
  CHECK(HtmlToText("&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos;") == "<b> & \"q\" 'a'");
  // A browser's leniency: no semicolon, unknown names, bare ampersands.
  CHECK(HtmlToText("AT&T &amp caf&eacute &nosuch; &") == "AT&T & caf\xC3\xA9 &nosuch; &");
  // Numeric references to nothing become U+FFFD, never invalid UTF-8.
  std::string bad = HtmlToText("a&#xD800;b&#0;c&#x110000;d");
  CHECK(IsValidUtf8(bad));
  CHECK(bad ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c\xEF\xBF\xBD"
        "d");
}

TEST_CASE("a '>' inside an attribute value does not end the tag", "[mail][html]") {
  CHECK(HtmlToText("<p title=\"a > b\">Hello</p><img alt='x>y' src=z>World") == "Hello\nWorld");
  CHECK(HtmlToText("<a href=\"https://example.com/?q=1>2\">site</a>") ==
        "site (https://example.com/?q=1>2)");
}

TEST_CASE("script, style, head, title and template are dropped", "[mail][html]") {
  CHECK(
      HtmlToText("<html><head><title>T</title><style>p{color:red}</style>"
                 "<script>if (a < b && c > d) alert('</p>')</script></head>"
                 "<body><p>Body</p><SCRIPT type=x>x<y</SCRIPT >"
                 "<template><p>hidden</p></template><!-- a <p>comment</p> -->end</body></html>") ==
      "Body\nend");
  // A head the author forgot to close ends where the body's content starts.
  CHECK(HtmlToText("<head><meta charset=utf-8><title>T</title><div>Shown</div>") == "Shown");
  // Unterminated raw text runs to the end, as in a browser.
  CHECK(HtmlToText("before<script>never closed <p>x</p>") == "before");
}

TEST_CASE("whitespace collapses as in a browser except inside pre", "[mail][html]") {
  // A no-break space does not collapse, as in a browser.
  CHECK(HtmlToText("  a \n\t b&nbsp;&nbsp;c  <span> d </span>  ") == "a b  c d");
  CHECK(HtmlToText("<p>x</p><pre>\n  line 1\n    line 2\n</pre><p>y</p>") ==
        "x\n  line 1\n    line 2\ny");
  // Zero-width padding newsletters put in the preview text is dropped.
  CHECK(HtmlToText("Sale&zwnj;&nbsp;&#8203;today&shy;") == "Sale today");
}

TEST_CASE("blocks become line breaks, never more than one blank line", "[mail][html]") {
  CHECK(HtmlToText("<div>a</div><div>b</div>") == "a\nb");
  CHECK(HtmlToText("<p>a</p><p>b</p><h1>Title</h1>c") == "a\nb\nTitle\nc");
  CHECK(HtmlToText("a<br>b<br><br>c<br><br><br><br>d") == "a\nb\n\nc\n\nd");
  CHECK(HtmlToText("<p></p><div> </div><p>&nbsp;</p>x<p></p><p></p>") == "x");
  CHECK(HtmlToText("<blockquote>quoted</blockquote>after<hr>end") == "quoted\nafter\nend");
  // The blank lines of the two most common mail writers: Gmail's empty
  // <div><br></div> and Outlook's <p>&nbsp;</p> between one-line paragraphs.
  CHECK(HtmlToText("<div>Hello,</div><div><br></div><div>Thanks</div>") == "Hello,\n\nThanks");
  CHECK(
      HtmlToText(
          "<p class=MsoNormal>Hello,</p><p class=MsoNormal>&nbsp;</p><p class=MsoNormal>Thanks</p>"
          "<p>&nbsp;</p><p>&nbsp;</p><p>Ann</p>") == "Hello,\n\nThanks\n\nAnn");
}

TEST_CASE("list items get a dash or a number", "[mail][html]") {
  CHECK(HtmlToText("<ul><li>one<li>two</ul>") == "- one\n- two");
  CHECK(HtmlToText("<ol><li>one</li><li>two</li></ol>") == "1. one\n2. two");
  CHECK(HtmlToText("<ol start=\"7\"><li>seven<li>eight</ol>") == "7. seven\n8. eight");
  CHECK(HtmlToText("Intro<ul><li>a<ol><li>x</li><li>y</li></ol></li><li>b</li></ul>Outro") ==
        "Intro\n- a\n  1. x\n  2. y\n- b\nOutro");
}

TEST_CASE("links show their URL when it says more than the text", "[mail][html]") {
  CHECK(HtmlToText("<a href=\"https://example.com/reset?t=1&amp;u=2\">Reset</a>") ==
        "Reset (https://example.com/reset?t=1&u=2)");
  CHECK(HtmlToText("<a href=\"mailto:help@example.com\">Write to us</a>") ==
        "Write to us (mailto:help@example.com)");
  // The text already is the URL, or the URL is not one a reader can use.
  CHECK(HtmlToText("<a href=\"https://example.com/\">https://example.com</a>") ==
        "https://example.com");
  CHECK(HtmlToText("<a href=\"mailto:help@example.com\">help@example.com</a>") ==
        "help@example.com");
  CHECK(HtmlToText(
            "<a href=\"javascript:alert(1)\">click</a> <a href=\"#top\">top</a> <a>plain</a>") ==
        "click top plain");
  CHECK(HtmlToText("<a href=\"https://example.com/pixel\"><img src=x></a>after") == "after");
}

TEST_CASE("table rows are lines with their cells joined", "[mail][html]") {
  CHECK(HtmlToText(
            "<table><tr><th>Item</th><th>Qty</th></tr><tr><td>Tea</td><td>2</td></tr></table>") ==
        "Item | Qty\nTea | 2");
  // Cells left open, and empty spacer cells of a layout table.
  CHECK(HtmlToText("<table><tr><td>a<td><td>b<tr><td>c</table>after") == "a | b\nc\nafter");
  CHECK(HtmlToText(
            "x<table><tr><td><table><tr><td>in1</td><td>in2</td></tr></table></td><td>out</td></tr>"
            "</table>") == "x\nin1 | in2\nout");
}

TEST_CASE("markup that is not a tag stays text", "[mail][html]") {
  CHECK(HtmlToText("1 < 2 and 3 <4 and a <= b, x<>y, </ 5>z") ==
        "1 < 2 and 3 <4 and a <= b, x<>y, z");
  CHECK(HtmlToText("<textarea><b>&amp;</b></textarea>") == "<b>&</b>");
  CHECK(HtmlToText("<xmp><b>&amp;</b></xmp>") == "<b>&amp;</b>");
  CHECK(HtmlToText("cut <a href=\"https://x") == "cut");
  CHECK(HtmlToText("") == "");
}

TEST_CASE("invalid UTF-8 in HTML comes out valid", "[mail][html]") {
  std::string text = HtmlToText("<p>caf\xE9 \xF0\x9F</p>");
  CHECK(IsValidUtf8(text));
  CHECK(text.rfind("caf", 0) == 0);
}

TEST_CASE("HTML nested 100000 deep renders without recursion", "[mail][html]") {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div>";
  html += "deep";
  for (int i = 0; i < 100000; ++i) html += "</div>";
  html += "after";
  CHECK(HtmlToText(html) == "deep\nafter");
  std::string lists;
  for (int i = 0; i < 50000; ++i) lists += "<ul><li><table><tr><td><b><i><a href=x>";
  lists += "x";
  CHECK(HtmlToText(lists).find('x') != std::string::npos);
}

// Each of these took gumbo, or the renderer before it, time quadratic in
// its size. They run here at full size so that a regression shows as a
// test that hangs; no timing is asserted.
TEST_CASE("hostile HTML renders in linear time", "[mail][html]") {
  std::string scripts;
  while (scripts.size() < (1 << 20)) scripts += "<script>var a = b < c;</script>x < y & z <p>";
  std::string text = HtmlToText(scripts);
  CHECK(text.find("var a") == std::string::npos);
  CHECK(text.find("x < y & z") != std::string::npos);

  std::string misnested;
  while (misnested.size() < (1 << 20)) misnested += "<i><b><u><s></p><a href=y><table><div></span>";
  CHECK(IsValidUtf8(HtmlToText(misnested)));

  std::string unclosed(1 << 20, '<');
  CHECK(HtmlToText(unclosed) == unclosed);
  std::string amps;
  while (amps.size() < (1 << 20)) amps += "&am &#x &lt";
  CHECK(HtmlToText(amps).size() > 100000);
}

TEST_CASE("only the first part of an oversized HTML body is rendered", "[mail][html]") {
  std::string html;
  while (html.size() <= kMaxRenderedHtmlBytes) html += "<p>paragraph</p>";
  html += "<p>LAST</p>";
  std::string text = HtmlToText(html);
  CHECK(text.find("LAST") == std::string::npos);
  CHECK(
      text.ends_with("[The HTML of this part is longer than 2 MiB; only its beginning is shown.]"));
}

}  // namespace
}  // namespace frontdesk
