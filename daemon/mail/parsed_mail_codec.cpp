#include "daemon/mail/parsed_mail_codec.h"

#include <cstdint>
#include <cstring>

namespace frontdesk {
namespace {

// Bumped whenever a field is added, so that a worker from another build is
// refused instead of misread.
constexpr uint8_t kVersion = 2;

class Writer {
 public:
  void U64(uint64_t v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out_.append(b, 8);
  }
  void Bool(bool v) { out_.push_back(v ? 1 : 0); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  void Address(const MailAddress& a) {
    Str(a.address);
    Str(a.name);
  }
  void Addresses(const std::vector<MailAddress>& v) {
    U64(v.size());
    for (const MailAddress& a : v) Address(a);
  }
  void Strings(const std::vector<std::string>& v) {
    U64(v.size());
    for (const std::string& s : v) Str(s);
  }
  std::string Take() { return std::move(out_); }
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }

 private:
  std::string out_;
};

// Every read checks the bytes left; the first short read makes ok() false
// and every later read returns empty values.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }
  uint8_t Byte() {
    if (!Need(1)) return 0;
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return b;
  }
  uint64_t U64() {
    if (!Need(8)) return 0;
    uint64_t v;
    std::memcpy(&v, in_.data(), 8);
    in_.remove_prefix(8);
    return v;
  }
  bool Bool() { return Byte() != 0; }
  std::string Str() {
    uint64_t n = U64();
    if (!Need(n)) return {};
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  MailAddress Address() {
    MailAddress a;
    a.address = Str();
    a.name = Str();
    return a;
  }
  // A count is checked against the bytes left (each item takes at least
  // 8), so a corrupt count cannot make the reader reserve gigabytes.
  uint64_t Count() {
    uint64_t n = U64();
    if (n > in_.size() / 8) ok_ = false;
    return ok_ ? n : 0;
  }
  std::vector<MailAddress> Addresses() {
    std::vector<MailAddress> v(Count());
    for (MailAddress& a : v) a = Address();
    return v;
  }
  std::vector<std::string> Strings() {
    std::vector<std::string> v(Count());
    for (std::string& s : v) s = Str();
    return v;
  }

 private:
  bool Need(uint64_t n) {
    if (!ok_ || n > in_.size()) ok_ = false;
    return ok_;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string EncodeParsedMail(const ParsedMail& m) {
  Writer w;
  w.Byte(kVersion);
  w.Str(m.subject);
  w.Address(m.from);
  w.Addresses(m.to);
  w.Addresses(m.cc);
  w.Addresses(m.reply_to);
  w.Str(m.return_path);
  w.Bool(m.null_return_path);
  w.Str(m.body_text);
  w.Bool(m.body_from_html);
  w.U64(m.attachments.size());
  for (const MailAttachment& a : m.attachments) {
    w.Str(a.filename);
    w.Str(a.content_type);
    w.Str(a.content_id);
    w.Bool(a.is_inline);
    w.Str(a.data);
  }
  w.Str(m.message_id);
  w.Str(m.in_reply_to);
  w.Strings(m.references);
  w.Bool(m.auto_submitted);
  w.Str(m.auto_reason);
  w.Bool(m.is_dsn);
  w.U64(m.headers.size());
  for (const auto& [name, value] : m.headers) {
    w.Str(name);
    w.Str(value);
  }
  w.Strings(m.problems);
  w.Str(m.refused);
  return w.Take();
}

Result<ParsedMail> DecodeParsedMail(std::string_view bytes) {
  Reader r(bytes);
  if (r.Byte() != kVersion) return Status::Internal("parse worker answered in another format (a different build?)");
  ParsedMail m;
  m.subject = r.Str();
  m.from = r.Address();
  m.to = r.Addresses();
  m.cc = r.Addresses();
  m.reply_to = r.Addresses();
  m.return_path = r.Str();
  m.null_return_path = r.Bool();
  m.body_text = r.Str();
  m.body_from_html = r.Bool();
  m.attachments.resize(r.Count());
  for (MailAttachment& a : m.attachments) {
    a.filename = r.Str();
    a.content_type = r.Str();
    a.content_id = r.Str();
    a.is_inline = r.Bool();
    a.data = r.Str();
  }
  m.message_id = r.Str();
  m.in_reply_to = r.Str();
  m.references = r.Strings();
  m.auto_submitted = r.Bool();
  m.auto_reason = r.Str();
  m.is_dsn = r.Bool();
  m.headers.resize(r.Count());
  for (auto& [name, value] : m.headers) {
    name = r.Str();
    value = r.Str();
  }
  m.problems = r.Strings();
  m.refused = r.Str();
  if (!r.done()) return Status::Internal("parse worker's answer is cut short or has bytes left over");
  return m;
}

std::string EncodeParseOptions(const MailParseOptions& o) {
  Writer w;
  w.Byte(kVersion);
  w.Str(o.fallback_charset);
  w.U64(static_cast<uint64_t>(o.max_parts));
  w.U64(static_cast<uint64_t>(o.max_depth));
  return w.Take();
}

Result<MailParseOptions> DecodeParseOptions(std::string_view bytes) {
  Reader r(bytes);
  if (r.Byte() != kVersion) return Status::Invalid("parse request in another format (a different build?)");
  MailParseOptions o;
  o.fallback_charset = r.Str();
  o.max_parts = static_cast<int>(r.U64());
  o.max_depth = static_cast<int>(r.U64());
  if (!r.done()) return Status::Invalid("parse request options are cut short");
  return o;
}

}  // namespace frontdesk
