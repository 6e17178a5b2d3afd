#include "daemon/mail/mime_body.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

// The body is read through ParseMail, which hands GMime's tree to ReadBody.

namespace frontdesk {
namespace {

TEST_CASE("text parts outside an alternative are all the body, in their order", "[mail][mime]") {
  // A mailer that splits the text around an inline picture.
  ParsedMail split = ParseMail(
      "From: a@example.com\nSubject: split\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
      "boundary=b\n\n"
      "--b\nContent-Type: text/html\n\n<p>before the picture</p>\n"
      "--b\nContent-Type: image/png; name=p.png\nContent-Transfer-Encoding: "
      "base64\n\niVBORw0KGgo=\n"
      "--b\nContent-Type: text/html\n\n<p>after it</p>\n--b--\n");
  CHECK(split.body_text == "before the picture\nafter it");
  CHECK(split.body_from_html);
  REQUIRE(split.attachments.size() == 1);
  CHECK(split.attachments[0].filename == "p.png");
  // Plain text and HTML side by side, without an alternative: the HTML is
  // more of the message (here its greeting), not another version of it.
  ParsedMail side = ParseMail(
      "From: a@example.com\nSubject: side\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/html; charset=utf-8\n\n<div>The printer on floor 2 is jammed.</div>\n"
      "--b\nContent-Type: text/plain; charset=utf-8\n\n-- \nAnn, facilities\n--b--\n");
  CHECK(side.body_text == "The printer on floor 2 is jammed.\n-- \nAnn, facilities");
  CHECK_FALSE(side.body_from_html);
  CHECK(side.attachments.empty());
  // In an alternative, a second HTML part is another version: not a file,
  // and the plain version is the one read.
  ParsedMail alt = ParseMail(
      "From: a@example.com\nSubject: alt\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=m\n\n"
      "--m\nContent-Type: multipart/alternative; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nplain version\n--b\nContent-Type: text/html\n\n<p>one</p>\n"
      "--b\nContent-Type: text/html\n\n<p>two</p>\n--b--\n"
      "--m\nContent-Type: text/plain\n\nfooter added by the list\n--m--\n");
  CHECK(alt.body_text == "plain version\nfooter added by the list");
  CHECK(alt.attachments.empty());
  // In a multipart/related, what follows the root is what the root refers
  // to: an HTML part there is a file, not more of the body.
  ParsedMail related = ParseMail(
      "From: a@example.com\nSubject: related\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=r\n\n"
      "--r\nContent-Type: text/html\n\n<p>See the frame.</p>\n"
      "--r\nContent-Type: text/html\nContent-ID: <frame@x>\n\n<p>framed</p>\n--r--\n");
  CHECK(related.body_text == "See the frame.");
  REQUIRE(related.attachments.size() == 1);
  CHECK(related.attachments[0].filename == "text.html");
  // A root named by `start` need not come first.
  ParsedMail started = ParseMail(
      "From: a@example.com\nSubject: start\nMIME-Version: 1.0\n"
      "Content-Type: multipart/related; start=\"<root@x>\"; boundary=r\n\n"
      "--r\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
      "--r\nContent-Type: text/plain\nContent-ID: <root@x>\n\nroot text\n--r--\n");
  CHECK(started.body_text == "root text");
  REQUIRE(started.attachments.size() == 1);
  CHECK(started.attachments[0].filename == "image.png");
  // A plain part and an HTML copy that differ only in marks and links.
  ParsedMail marked = ParseMail(
      "From: a@example.com\nSubject: marks\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nHello *World*, see the portal <https://example.com/p>.\n[cid:logo@x]\n"
      "--b\nContent-Type: text/html\n\n<p>Hello <b>World</b>, see the <a href=\"https://example.com/p\">portal</a>."
      "<img src=\"cid:logo@x\"></p>\n--b--\n");
  CHECK(marked.body_text == "Hello *World*, see the portal <https://example.com/p>.\n[cid:logo@x]");
  // Picture placeholders that never close are read once, not once each.
  std::string open_ended;
  for (int i = 0; i < 100000; ++i) open_ended += "[cid:";
  ParsedMail unclosed = ParseMail(
      "From: a@example.com\nSubject: cid\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\n" + open_ended + "\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--\n");
  CHECK(unclosed.body_text.size() > open_ended.size());
  // The text and an HTML copy of it, side by side: read once.
  ParsedMail copy = ParseMail(
      "From: a@example.com\nSubject: copy\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nThe scanner  is offline.\n"
      "--b\nContent-Type: text/html\n\n<p>The scanner is offline.</p>\n--b--\n");
  CHECK(copy.body_text == "The scanner  is offline.");
  CHECK(copy.attachments.empty());
}

TEST_CASE("a part's file name is the one its sender gave, or one made from its type", "[mail][mime]") {
  ParsedMail m = ParseMail(
      "From: a@example.com\nSubject: files\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain; name=\"body.txt\"\n\nThe body, named by its mailer.\n"
      "--b\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: inline; filename=\"notes.txt\"\n\n"
      "a file shown inline\n"
      "--b\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"earlier.eml\"\n\n"
      "From: b@example.com\nSubject: earlier\n\nhello\n"
      "--b\nContent-Type: image/jpeg; name=\" \"\nContent-Transfer-Encoding: base64\n\n/9j/\n"
      "--b\nContent-Type: image/jpg\nContent-Disposition: attachment; filename=\"=?utf-8?b?" "?=\"\n"
      "Content-Transfer-Encoding: base64\n\n/9j/\n--b--\n");
  CHECK(m.body_text == "The body, named by its mailer.");
  REQUIRE(m.attachments.size() == 4);
  CHECK(m.attachments[0].filename == "notes.txt");
  CHECK(m.attachments[0].data == "a file shown inline");
  CHECK(m.attachments[0].is_inline);
  CHECK(m.attachments[1].filename == "earlier.eml");
  ParsedMail named = ParseMail(
      "From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nsee below\n"
      "--b\nContent-Type: message/rfc822; name=\"Your order\"\n\nFrom: b@example.com\n\nhello\n--b--\n");
  REQUIRE(named.attachments.size() == 1);
  CHECK(named.attachments[0].filename == "Your order.eml");
  ParsedMail dotted = ParseMail(
      "From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nsee below\n"
      "--b\nContent-Type: message/rfc822; name=\"Report v1.2\"\n\nFrom: b@example.com\n\nhello\n--b--\n");
  REQUIRE(dotted.attachments.size() == 1);
  CHECK(dotted.attachments[0].filename == "Report v1.2.eml");
  CHECK(m.attachments[2].filename == "image.jpg");  // a blank name is none
  CHECK(m.attachments[3].filename == "image.jpg");  // so is an empty encoded one
}

TEST_CASE("a multipart without its boundary keeps its text, decoded", "[mail][mime]") {
  ParsedMail m = ParseMail(
      "From: a@example.com\nSubject: lost boundary\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"never-used\"\nContent-Transfer-Encoding: quoted-printable\n\n"
      "Gr=C3=BC=C3=9Fe aus K=C3=B6ln, the heating is=\n off.\n");
  CHECK(m.body_text == "Grüße aus Köln, the heating is off.\n");
}

TEST_CASE("undeclared ISO-2022-JP text is read as ISO-2022-JP", "[mail][mime]") {
  // "テスト" (test) in ISO-2022-JP, with no charset on the part.
  ParsedMail m = ParseMail(
      "From: a@example.com\nSubject: jis\nMIME-Version: 1.0\nContent-Type: text/plain\n\n"
      "\x1b$B%F%9%H\x1b(B ok\n");
  CHECK(m.body_text == "テスト ok\n");
  CHECK(std::find_if(m.problems.begin(), m.problems.end(), [](const std::string& p) {
          return p.find("ISO-2022-JP") != std::string::npos;
        }) != m.problems.end());
}

TEST_CASE("encrypted mail says so, and keeps its encrypted part", "[mail][mime]") {
  ParsedMail pgp = ParseMail(
      "From: a@example.com\nSubject: secret\nMIME-Version: 1.0\n"
      "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e\n\n"
      "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
      "--e\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\n-----BEGIN PGP MESSAGE-----\n"
      "--e--\n");
  CHECK(pgp.body_text.empty());
  CHECK(std::find(pgp.problems.begin(), pgp.problems.end(),
                  "the message is encrypted (PGP/MIME): its text cannot be read; the encrypted part is kept") !=
        pgp.problems.end());
  REQUIRE(pgp.attachments.size() == 2);
  CHECK(pgp.attachments[1].filename == "encrypted.asc");
  ParsedMail smime = ParseMail(
      "From: a@example.com\nSubject: secret\nMIME-Version: 1.0\n"
      "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
      "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\n");
  CHECK(std::find(smime.problems.begin(), smime.problems.end(),
                  "the message is encrypted (S/MIME): its text cannot be read; the encrypted part is kept") !=
        smime.problems.end());
  REQUIRE(smime.attachments.size() == 1);
  CHECK(smime.attachments[0].filename == "smime.p7m");
}

}  // namespace
}  // namespace frontdesk
