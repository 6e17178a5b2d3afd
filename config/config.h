// config.h: the configuration as the rest of Frontdesk sees it, after the
// loader has validated every value. A Config is immutable once loaded; the
// daemon swaps whole Configs on reload, so readers hold a
// shared_ptr<const Config> and never see half of one.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk {

struct ListenAddress {
  std::string host;  // an IP literal; IPv6 without brackets
  int port = 0;
  std::string ToString() const;
};

struct ServerConfig {
  std::string data_dir = "/var/lib/frontdesk";
  std::string database = "frontdesk.db";  // relative to data_dir unless absolute
  ListenAddress public_listen{"127.0.0.1", 8080};
  ListenAddress admin_listen{"127.0.0.1", 8081};
  // The admin API refuses a non-loopback address unless this is set.
  bool admin_allow_remote = false;
  // Reverse proxies whose X-Forwarded-For is believed, as IP addresses.
  std::vector<std::string> trusted_proxies;
  std::string base_url = "http://127.0.0.1:8080";
  int public_threads = 8;
  int public_max_threads = 64;
  int admin_threads = 2;
  int admin_max_threads = 16;
  int64_t max_body_bytes = 10 * 1024 * 1024;
  int64_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{2};
  int keep_alive_max_requests = 100;
  std::chrono::milliseconds busy_timeout{5000};

  // data_dir/database, or database when it is absolute.
  std::string DatabasePath() const;
};

struct LoggingConfig {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
};

struct QueueConfig {
  std::string name;
  std::string display_name;
  std::vector<std::string> addresses;  // where customers write (correspond)
  std::vector<std::string> comment_addresses;  // agents' internal notes
  std::vector<std::string> agents;
  std::string lead;  // told of low satisfaction scores; may be empty
  bool is_default = false;
};

// An extra field on the web form. Its value is stored on the ticket and can
// be matched by routing rules.
struct FormField {
  std::string name;   // the form field name: 1 to 32 of a-z, 0-9 and '_'
  std::string label;
  std::string kind = "text";  // text, textarea or select
  std::vector<std::string> options;  // for select
  bool required = false;
  int max_chars = 200;
};

// The public web form and the public intake behind it.
struct FormConfig {
  std::string queue;  // where form tickets start; empty means the default queue
  std::string title = "Contact support";
  std::string intro = "Tell us what you need. We will answer by email.";
  std::string submit_label = "Send request";
  std::string thanks_title = "Thank you";
  std::string thanks_text = "We have received your request and will answer by email.";
  bool require_name = false;
  int max_name_chars = 200;
  int max_subject_chars = 250;
  int max_message_chars = 20000;
  int max_attachments = 5;
  int64_t max_attachment_bytes = 5 * 1024 * 1024;
  // Each client address may send at most rate_limit tickets per
  // rate_limit_window, with the allowance refilling evenly over the window.
  int rate_limit = 10;
  std::chrono::seconds rate_limit_window{600};
  std::vector<FormField> fields;
};

struct Config {
  std::string path;  // the file this came from
  ServerConfig server;
  LoggingConfig logging;
  FormConfig form;
  std::vector<QueueConfig> queues;

  // The queue with default = true, or the first one; nullptr when none.
  const QueueConfig* DefaultQueue() const;
  const QueueConfig* FindQueue(std::string_view name) const;
};

}  // namespace frontdesk
