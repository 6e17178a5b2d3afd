#include "daemon/mail/mime_limits.h"

#include <gmime/gmime.h>

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "daemon/mail/gmime_util.h"
#include "daemon/mail/mime.h"

namespace frontdesk {
namespace {

constexpr int kManyParts = 1000;
constexpr int kDeep = 30;

MimeShape Shape(const std::string& raw) { return MeasureMime(raw, kManyParts, kDeep); }

// A multipart body with `boundary` around each of `parts` (each already a
// header block, an empty line and a body).
std::string Multipart(const std::string& boundary, const std::vector<std::string>& parts,
                      bool close = true) {
  std::string out = "preamble\n";
  for (const std::string& p : parts) out += "--" + boundary + "\n" + p + "\n";
  if (close) out += "--" + boundary + "--\nepilogue\n";
  return out;
}

// The header block every message here starts with.
std::string Headers() {
  return "From: Ann <ann@example.com>\nTo: help@example.com\nSubject: Hello\n"
         "Message-ID: <m1@example.com>\nReferences: <r0@example.com> <r1@example.com>\n";
}

TEST_CASE("a message of one part is one entity at depth 0", "[mail][limits]") {
  MimeShape s = Shape(Headers() + "\nJust text.\n--not a boundary\n");
  CHECK(s.parts == 1);
  CHECK(s.depth == 0);
  CHECK_FALSE(s.stopped);
  CHECK(s.body_start == Headers().size() + 1);
  // No empty line: everything is header, as GMime reads it.
  CHECK(Shape("Subject: x\nContent-Type: multipart/mixed; boundary=b\n--b\n--b\n").parts == 1);
}

TEST_CASE("multiparts are counted by their delimiters, nested ones one level deeper",
          "[mail][limits]") {
  std::string alt = "Content-Type: multipart/alternative; boundary=\"alt\"\n\n" +
                    Multipart("alt", {"Content-Type: text/plain\n\nplain",
                                      "Content-Type: text/html\n\n<p>html</p>"});
  std::string raw = Headers() + "Content-Type: multipart/mixed; boundary=\"mix\"\n\n" +
                    Multipart("mix", {alt, "Content-Type: application/pdf\n\n%PDF"});
  MimeShape s = Shape(raw);
  CHECK(s.parts == 5);  // mixed, alternative, plain, html, pdf
  CHECK(s.depth == 2);
  CHECK(s.body_start == raw.find("\n\n") + 2);
}

TEST_CASE("a message/rfc822 body is a nested entity", "[mail][limits]") {
  std::string inner =
      "From: b@example.com\nSubject: inner\nContent-Type: multipart/mixed; boundary=in\n\n" +
      Multipart("in", {"\na", "\nb"});
  std::string raw =
      Headers() + "Content-Type: multipart/mixed; boundary=out\n\n" +
      Multipart("out", {"\nsee attached", "Content-Type: message/rfc822\n\n" + inner});
  MimeShape s = Shape(raw);
  CHECK(s.parts == 6);  // outer, text, rfc822 part, inner message, a, b
  CHECK(s.depth == 3);
  // Encoded, it is an opaque attachment, as GMime treats it.
  std::string encoded =
      Headers() + "Content-Type: multipart/mixed; boundary=out\n\n" +
      Multipart("out", {"Content-Type: message/global\nContent-Transfer-Encoding: base64\n\nQQ=="});
  CHECK(Shape(encoded).parts == 2);
  // In a digest a part without a type is a message.
  std::string digest = Headers() + "Content-Type: multipart/digest; boundary=d\n\n" +
                       Multipart("d", {"\nContent-Type: multipart/mixed; boundary=x\n\n" +
                                       Multipart("x", {"\n1", "\n2"})});
  CHECK(Shape(digest).parts == 5);  // digest, part, its message (multipart x), 1, 2
}

TEST_CASE("boundaries are read however they are written", "[mail][limits]") {
  auto parts_with = [](const std::string& content_type, const std::string& delimiter) {
    return Shape(Headers() + content_type + "\n\n" + delimiter + "\n\na\n" + delimiter + "\n\nb\n")
        .parts;
  };
  CHECK(parts_with("Content-Type: multipart/mixed; boundary=plain-1", "--plain-1") == 3);
  CHECK(parts_with("Content-Type: multipart/mixed; boundary=\"with space:and=colon\"",
                   "--with space:and=colon") == 3);
  CHECK(parts_with("content-type: MULTIPART/Mixed; BOUNDARY=\"Odd\"", "--Odd") == 3);
  CHECK(parts_with("Content-Type: multipart/mixed;\n\tcharset=x;\n boundary=\"folded\"",
                   "--folded") == 3);
  CHECK(parts_with("Content-Type: multipart/mixed; boundary*0=\"split\"; boundary*1=\"-in-two\"",
                   "--split-in-two") == 3);
  // Trailing white space and CR LF line ends are allowed after a delimiter;
  // anything else makes it text, and case matters.
  CHECK(parts_with("Content-Type: multipart/mixed; boundary=b", "--b \t\r") == 3);
  CHECK(parts_with("Content-Type: multipart/mixed; boundary=b", "--bx") == 1);
  CHECK(parts_with("Content-Type: multipart/mixed; boundary=b", "--B") == 1);
  // The last Content-Type decides, as in GMime.
  CHECK(parts_with("Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=b", "--b") ==
        3);
  CHECK(parts_with("Content-Type: multipart/mixed; boundary=b\nContent-Type: text/plain", "--b") ==
        1);
}

TEST_CASE("a close delimiter ends a multipart, and an outer one ends the inner", "[mail][limits]") {
  std::string raw = Headers() +
                    "Content-Type: multipart/mixed; boundary=o\n\n"
                    "--o\nContent-Type: multipart/alternative; boundary=i\n\n"
                    "--i\n\none\n"
                    "--i\n\ntwo\n"
                    "--o\n\nthree (the inner multipart was never closed)\n"
                    "--i\n\nnot a part: i is closed\n"
                    "--o--\n"
                    "--o\n\nepilogue, not a part\n";
  MimeShape s = Shape(raw);
  CHECK(s.parts == 5);  // o, i, one, two, three
  CHECK(s.depth == 2);
}

// What GMime itself builds: entities, and how deep.
std::pair<int, int> GMimeShape(const std::string& raw) {
  InitGMime();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  std::unique_ptr<GMimeParserOptions, decltype(&g_mime_parser_options_free)> options(
      g_mime_parser_options_new(), &g_mime_parser_options_free);
  g_mime_parser_options_set_parameter_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
  std::pair<int, int> shape{0, 0};
  std::vector<std::pair<GMimeObject*, int>> todo;
  if (message.get() && g_mime_message_get_mime_part(message.get()))
    todo.push_back({g_mime_message_get_mime_part(message.get()), 0});
  while (!todo.empty()) {
    auto [o, depth] = todo.back();
    todo.pop_back();
    ++shape.first;
    shape.second = std::max(shape.second, depth);
    if (GMIME_IS_MULTIPART(o)) {
      for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o)); ++i)
        todo.push_back({g_mime_multipart_get_part(GMIME_MULTIPART(o), i), depth + 1});
    } else if (GMIME_IS_MESSAGE_PART(o)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
      if (inner && g_mime_message_get_mime_part(inner))
        todo.push_back({g_mime_message_get_mime_part(inner), depth + 1});
    }
  }
  return shape;
}

// The property the caps rest on: the scan never counts fewer parts, or
// less nesting, than GMime then builds. These are the odd structures
// where a simpler scan would (several found by comparing the two on
// random mail).
TEST_CASE("the scan never counts less than GMime builds", "[mail][limits]") {
  const std::string cases[] = {
      // A delimiter ends a header block that has no empty line; the block
      // is read first, so the multipart it opens claims the line.
      "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; "
      "boundary=o\n"
      "--o\n\ninner\n--o--\n--o--\n",
      "Content-Type: multipart/mixed; boundary=\"b--\"\n\n--b--\n\ntext\n--b--\n"
      "Content-Type: text/plain\nContent-Type: message/rfc822\n\nSubject: inner\n"
      "Content-type: Multipart/Digest;\n boundary=\"b--\"\npre\n--b----\n--b--\n\ntrailing\n",
      // An empty message/rfc822 part, and one whose message has no empty line.
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n--b\n"
      "Content-Type: message/rfc822\n\nSubject: x\n--b--\n",
      // A digest's untyped parts are messages; CR LF line ends.
      "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nContent-Type: multipart/mixed; "
      "boundary=d\r\n\r\n--d\r\n\r\nx\r\n--d--\r\n--d--\r\n",
      // An empty boundary, and one that is a prefix of another.
      "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\na\n--\n\nb\n----\n",
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; "
      "boundary=bb\n\n"
      "--bb\n\n1\n--b\n\n2\n--bb\n\n3\n--b--\n",
  };
  for (const std::string& body : cases) {
    std::string raw = Headers() + body;
    MimeShape s = Shape(raw);
    std::pair<int, int> g = GMimeShape(raw);
    INFO(raw);
    CHECK(s.parts >= g.first);
    CHECK(s.depth >= g.second);
  }
}

std::string ManyParts(int n) {
  std::string raw = Headers() + "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < n; ++i) raw += "--b\n\nx\n";
  return raw + "--b--\n";
}

// Multiparts inside multiparts, with a text part `levels` deep.
std::string DeepParts(int levels) {
  std::string raw = Headers() + "Content-Type: multipart/mixed; boundary=b0\n\n";
  for (int i = 1; i < levels; ++i)
    raw += "--b" + std::to_string(i - 1) + "\nContent-Type: multipart/mixed; boundary=b" +
           std::to_string(i) + "\n\n";
  return raw + "--b" + std::to_string(levels - 1) + "\n\ndeep\n";
}

TEST_CASE("the scan stops at the first part over a cap and says why", "[mail][limits]") {
  MimeShape ok = MeasureMime(ManyParts(9), 10, 5);
  CHECK(ok.parts == 10);
  CHECK_FALSE(ok.stopped);
  CHECK(MimeLimitReason(ManyParts(9), 10, 5) == "");

  MimeShape over = MeasureMime(ManyParts(10), 10, 5);
  CHECK(over.parts == 11);
  CHECK(over.stopped);
  CHECK(MimeLimitReason(over, 10, 5) ==
        "the message has more than 10 MIME parts (mail.max_mime_parts); it was not parsed beyond "
        "its headers");

  CHECK(MeasureMime(DeepParts(5), 100, 5).depth == 5);
  CHECK(MimeLimitReason(DeepParts(5), 100, 5) == "");
  CHECK(MimeLimitReason(DeepParts(6), 100, 5) ==
        "the message nests MIME parts more than 5 deep (mail.max_mime_depth); it was not parsed "
        "beyond its headers");
  // Nested messages count as nesting too.
  std::string messages = Headers() + "Content-Type: message/rfc822\n\n";
  for (int i = 0; i < 10; ++i) messages += "Subject: fwd\nContent-Type: message/rfc822\n\n";
  CHECK(MeasureMime(messages, 100, 5).stopped);
}

// Built as an attacker would, at full size: the scan must stop at the cap
// after a few kilobytes, not walk (or allocate for) the rest.
TEST_CASE("a flood of parts or of nesting is refused in linear time", "[mail][limits]") {
  std::string flood = ManyParts(3000000);
  MimeShape s = MeasureMime(flood, kManyParts, kDeep);
  CHECK(s.parts == kManyParts + 1);
  CHECK(s.stopped);

  std::string deep = DeepParts(100000);
  CHECK(MeasureMime(deep, kManyParts, kDeep).depth == kDeep + 1);

  // Thousands of open multiparts that each name a new boundary, then a
  // flood of lines that start like a boundary but are none.
  std::string wide = DeepParts(kDeep - 1);
  while (wide.size() < (8 << 20)) wide += "--b0x\n--b1 y\n--\n";
  MimeShape w = MeasureMime(wide, kManyParts, kDeep);
  CHECK_FALSE(w.stopped);
  CHECK(w.depth == kDeep - 1);
}

TEST_CASE("a mail over a cap is read only as far as its headers", "[mail][limits]") {
  MailParseOptions options;
  options.max_parts = 10;
  ParsedMail m = ParseMail(ManyParts(50), options);
  CHECK(m.refused ==
        "the message has more than 10 MIME parts (mail.max_mime_parts); it was not parsed beyond "
        "its headers");
  CHECK(std::find(m.problems.begin(), m.problems.end(), m.refused) != m.problems.end());
  CHECK(m.from.address == "ann@example.com");
  CHECK(m.from.name == "Ann");
  CHECK(m.subject == "Hello");
  CHECK(m.message_id == "m1@example.com");
  CHECK(m.references == std::vector<std::string>{"r0@example.com", "r1@example.com"});
  CHECK(m.body_text.empty());
  CHECK(m.attachments.empty());
  nlohmann::json j = nlohmann::json::parse(ParsedMailJson(m));
  CHECK(j["refused"] == m.refused);

  options.max_parts = 1000;
  options.max_depth = 3;
  ParsedMail deep = ParseMail(DeepParts(4), options);
  CHECK(deep.refused.find("more than 3 deep") != std::string::npos);
  CHECK(deep.subject == "Hello");

  // Within the caps nothing changes, and the JSON has no "refused".
  ParsedMail fine = ParseMail(ManyParts(3));
  CHECK(fine.refused.empty());
  CHECK(fine.body_text == "x\nx\nx");
  CHECK_FALSE(nlohmann::json::parse(ParsedMailJson(fine)).contains("refused"));
}

}  // namespace
}  // namespace frontdesk
