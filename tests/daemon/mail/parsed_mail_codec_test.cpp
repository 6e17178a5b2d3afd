#include "daemon/mail/parsed_mail_codec.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

ParsedMail EveryField() {
  ParsedMail m;
  m.subject = "Zamówienie nr 7";
  m.from = {"anna@example.com", "Anna Nowak"};
  m.to = {{"support@example.com", ""}, {"sales@example.com", "Sales"}};
  m.cc = {{"boss@example.com", "Boss"}};
  m.reply_to = {{"anna+reply@example.com", ""}};
  m.return_path = "bounce@example.com";
  m.null_return_path = true;
  m.body_text = std::string("line one\nline two with a NUL \0 inside", 36);
  m.body_from_html = true;
  MailAttachment a;
  a.filename = "invoice.pdf";
  a.content_type = "application/pdf";
  a.content_id = "cid1@example.com";
  a.is_inline = true;
  a.data = std::string(3000, '\xff');
  m.attachments = {a, a};
  m.message_id = "abc@example.com";
  m.in_reply_to = "parent@example.com";
  m.references = {"root@example.com", "parent@example.com"};
  m.auto_submitted = true;
  m.auto_reason = "Auto-Submitted: auto-replied";
  m.is_dsn = true;
  m.headers = {{"From", "Anna <anna@example.com>"}, {"X-Empty", ""}};
  m.problems = {"a repair"};
  m.refused = "over a limit";
  return m;
}

TEST_CASE("a parsed mail survives the trip to bytes and back, field by field", "[mail][codec]") {
  ParsedMail m = EveryField();
  Result<ParsedMail> back = DecodeParsedMail(EncodeParsedMail(m));
  REQUIRE(back.ok());
  CHECK(ParsedMailJson(*back) == ParsedMailJson(m));
  CHECK(back->body_text == m.body_text);
  CHECK(back->null_return_path);
  CHECK(back->body_from_html);
  CHECK(back->is_dsn);
  REQUIRE(back->attachments.size() == 2);
  CHECK(back->attachments[1].data == m.attachments[1].data);
  CHECK(back->attachments[1].is_inline);
  CHECK(back->attachments[1].content_id == "cid1@example.com");
  CHECK(back->reply_to.size() == 1);
  CHECK(back->return_path == "bounce@example.com");
  CHECK(back->refused == "over a limit");
  CHECK(back->headers == m.headers);

  ParsedMail empty;
  Result<ParsedMail> none = DecodeParsedMail(EncodeParsedMail(empty));
  REQUIRE(none.ok());
  CHECK(ParsedMailJson(*none) == ParsedMailJson(empty));
}

TEST_CASE("an answer cut short anywhere, or with bytes left over, is an error", "[mail][codec]") {
  std::string bytes = EncodeParsedMail(EveryField());
  for (size_t cut = 0; cut < bytes.size(); cut += (cut < 200 ? 1 : 97)) {
    INFO("cut at " << cut);
    CHECK_FALSE(DecodeParsedMail(std::string_view(bytes).substr(0, cut)).ok());
  }
  CHECK_FALSE(DecodeParsedMail(bytes + "x").ok());
  std::string other = bytes;
  other[0] = 99;  // another build's format
  CHECK_FALSE(DecodeParsedMail(other).ok());
}

TEST_CASE("a corrupt count cannot make the decoder reserve memory", "[mail][codec]") {
  std::string bytes = EncodeParsedMail(ParsedMail());
  // The first list is `to`, after the version, the subject's length and the
  // two strings of `from`: byte 1 + 8 + 8 + 8 = 25.
  for (int i = 0; i < 8; ++i) bytes[25 + i] = '\x7f';
  CHECK_FALSE(DecodeParsedMail(bytes).ok());
}

TEST_CASE("parse options survive the trip to bytes and back", "[mail][codec]") {
  MailParseOptions o;
  o.fallback_charset = "gb18030";
  o.max_parts = 77;
  o.max_depth = 5;
  Result<MailParseOptions> back = DecodeParseOptions(EncodeParseOptions(o));
  REQUIRE(back.ok());
  CHECK(back->fallback_charset == "gb18030");
  CHECK(back->max_parts == 77);
  CHECK(back->max_depth == 5);
  CHECK_FALSE(DecodeParseOptions("").ok());
  CHECK_FALSE(DecodeParseOptions(EncodeParseOptions(o) + "!").ok());
}

}  // namespace
}  // namespace frontdesk
