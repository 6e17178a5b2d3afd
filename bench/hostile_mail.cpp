// hostile_mail: times ParseMail on mail built to make a parser slow or
// large (the inputs of the attacks mime_limits.h, html_text.h and
// mime_repair.h were hardened against) and prints the wall time and the
// peak resident memory of each. Each case runs in a child process of its
// own, so that one case's peak does not hide another's; a second child
// per case only builds the input, to show how much of the peak is the
// input itself.
//
//   hostile_mail            all cases
//   hostile_mail NAME...    only those
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "daemon/mail/mime.h"

namespace {

// The header block every message here starts with.
std::string Headers() {
  return "From: Mallory <mallory@example.com>\r\nTo: help@example.com\r\nSubject: hostile\r\n"
         "Message-ID: <hostile@example.com>\r\nMIME-Version: 1.0\r\n";
}

std::string Repeat(const std::string& unit, size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() < bytes) out += unit;
  return out;
}

std::string HtmlMail(const std::string& html) {
  return Headers() + "Content-Type: text/html; charset=utf-8\r\n\r\n" + html;
}

struct Case {
  const char* name;
  const char* what;
  std::function<std::string()> build;
};

std::vector<Case> Cases() {
  return {
      {"html-script", "1 MiB HTML: <script> blocks, then '&' without ';', then '<' without '>'",
       [] {
         return HtmlMail(Repeat("<script>var a = 1</script><p>text</p>", 512 << 10) +
                         Repeat("x & y ", 384 << 10) + Repeat("1 < 2 ", 128 << 10));
       }},
      {"html-deep", "1 MiB HTML: <div> nested 170,000 deep",
       [] { return HtmlMail(Repeat("<div>x", 1 << 20)); }},
      {"html-misnested", "1 MiB HTML: misnested formatting tags",
       [] { return HtmlMail(Repeat("<i><b><u><s>t</p>", 1 << 20)); }},
      {"html-huge", "24 MiB HTML of one-word paragraphs (rendered up to its 2 MiB cap)",
       [] { return HtmlMail(Repeat("<p>x</p>", 24 << 20)); }},
      {"mime-parts", "25 MiB: as many empty MIME parts as fit",
       [] {
         return Headers() + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
                Repeat("--b\r\n\r\n", 25 << 20) + "--b--\r\n";
       }},
      {"mime-deep", "1 MiB: multiparts nested as deep as fit",
       [] {
         std::string raw = Headers() + "Content-Type: multipart/mixed; boundary=0\r\n\r\n";
         for (int i = 1; raw.size() < (1 << 20); ++i)
           raw += "--" + std::to_string(i - 1) +
                  "\r\nContent-Type: multipart/mixed; boundary=" + std::to_string(i) + "\r\n\r\n";
         return raw;
       }},
      {"mime-dashes", "25 MiB: 29 nested multiparts, then lines that start like their boundaries",
       [] {
         std::string raw = Headers() + "Content-Type: multipart/mixed; boundary=0\r\n\r\n";
         for (int i = 1; i < 29; ++i)
           raw += "--" + std::to_string(i - 1) +
                  "\r\nContent-Type: multipart/mixed; boundary=" + std::to_string(i) + "\r\n\r\n";
         return raw + "--28\r\n\r\n" + Repeat("--1x\r\n--2 y\r\n-- \r\n", 25 << 20);
       }},
      {"encoded-words", "1 MiB body and 1 MiB Subject of unterminated encoded words",
       [] {
         std::string words = Repeat("=?utf-8?b?SGVsbG8gd29ybGQ= ", 1 << 20);
         return "From: a@example.com\r\nSubject: " + words + "\r\n\r\n" + words;
       }},
      {"encoded-headerless", "1 MiB of unterminated encoded words and no empty line",
       [] {
         return "Subject: x\r\nX-Filler: " + Repeat("=?utf-8?b?AAAAAAAAAAAAAAAAAAAAAAAA", 1 << 20);
       }},
      {"uuencode", "1 MiB body of uuencode begin lines without an end",
       [] { return Headers() + "\r\n" + Repeat("begin 644 x.bin\r\n#:&D*\r\n", 1 << 20); }},
  };
}

struct Measure {
  double seconds = 0;
  long max_rss_kib = 0;
  char summary[200] = "";
};

// Runs `work` in a child; its wall time and summary come back through a
// pipe, its peak RSS from wait4.
Measure InChild(const std::function<void(Measure*)>& work) {
  Measure m;
  int fds[2];
  if (pipe(fds) != 0) return m;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Measure r;
    work(&r);
    ssize_t ignored = write(fds[1], &r, sizeof r);
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  if (read(fds[0], &m, sizeof m) != static_cast<ssize_t>(sizeof m))
    std::snprintf(m.summary, sizeof m.summary, "child failed");
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.max_rss_kib = usage.ru_maxrss;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> only(argv + 1, argv + argc);
  std::printf("%-19s %9s %10s %12s %12s  %s\n", "case", "input MB", "parse s", "peak RSS MB",
              "input RSS MB", "result");
  for (const Case& c : Cases()) {
    if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
    Measure base = InChild([&](Measure* r) {
      std::string raw = c.build();
      std::snprintf(r->summary, sizeof r->summary, "%zu", raw.size());
    });
    Measure run = InChild([&](Measure* r) {
      std::string raw = c.build();
      auto start = std::chrono::steady_clock::now();
      frontdesk::ParsedMail m = frontdesk::ParseMail(raw);
      r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::snprintf(r->summary, sizeof r->summary,
                    "%s; body %zu bytes, %zu attachments, %zu problems",
                    m.refused.empty() ? "parsed" : "refused", m.body_text.size(),
                    m.attachments.size(), m.problems.size());
    });
    std::printf("%-19s %9.1f %10.3f %12.1f %12.1f  %s\n", c.name,
                std::atof(base.summary) / (1 << 20), run.seconds, run.max_rss_kib / 1024.0,
                base.max_rss_kib / 1024.0, run.summary);
    std::printf("%-19s %s\n", "", c.what);
    std::fflush(stdout);
  }
  return 0;
}
