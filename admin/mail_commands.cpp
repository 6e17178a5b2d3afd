#include "admin/mail_commands.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "daemon/mime.h"

namespace frontdesk {
namespace {

// parse-mail reads files of any size a person hands it, but not without end.
constexpr std::streamsize kMaxFile = 256LL * 1024 * 1024;

struct MailFlags {
  std::string file;
  bool json = false;
  std::string fallback = "windows-1252";
};

int ParseMailCommand(const MailFlags& f) {
  std::ifstream in(f.file, std::ios::binary);
  if (!in) {
    std::cerr << "frontdesk: " << f.file << ": cannot read the file\n";
    return kExitFailure;
  }
  in.seekg(0, std::ios::end);
  std::streamsize size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > kMaxFile) {
    std::cerr << "frontdesk: " << f.file << ": larger than 256 MiB\n";
    return kExitDataErr;
  }
  std::string raw(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  in.read(raw.data(), size);
  raw.resize(in.gcount());
  MailParseOptions options;
  options.fallback_charset = f.fallback;
  ParsedMail m = ParseMail(raw, options);
  if (f.json) {
    std::cout << ParsedMailJson(m) << "\n";
    return kExitOk;
  }
  std::cout << "From:     " << m.from.name << (m.from.name.empty() ? "" : " ") << "<" << m.from.address << ">\n"
            << "Subject:  " << m.subject << "\n"
            << "Message:  " << (m.message_id.empty() ? "(none)" : m.message_id) << "\n";
  if (!m.in_reply_to.empty()) std::cout << "Reply to: " << m.in_reply_to << "\n";
  if (m.auto_submitted) std::cout << "Automatic: " << m.auto_reason << "\n";
  for (const MailAttachment& a : m.attachments) {
    std::cout << "Attached: " << a.filename << " (" << a.content_type << ", " << a.data.size() << " bytes)\n";
  }
  for (const std::string& p : m.problems) std::cout << "Problem:  " << p << "\n";
  std::cout << "\n" << m.body_text << "\n";
  return kExitOk;
}

}  // namespace

void AddMailCommands(CLI::App& app, CliContext&, int& exit_code) {
  auto flags = std::make_shared<MailFlags>();
  CLI::App* parse = app.add_subcommand(
      "parse-mail", "Show how Frontdesk reads an RFC 5322 message: sender, subject, text, attachments, threading, "
                    "whether it is automatic, and what had to be repaired.");
  parse->add_option("file", flags->file, "The .eml file")->required();
  parse->add_flag("--json", flags->json, "Print JSON");
  parse->add_option("--fallback-charset", flags->fallback, "For undeclared 8-bit text that is not UTF-8");
  parse->callback([&exit_code, flags] { exit_code = ParseMailCommand(*flags); });
}

}  // namespace frontdesk
