#include "admin/agent_command.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "config/values.h"
#include "console/auth.h"
#include "daemon/store/agent_store.h"

namespace frontdesk {
namespace {

struct AgentFlags {
  std::string email;
};

// Turns terminal echo off for its lifetime.
class NoEcho {
 public:
  NoEcho() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// The password from the terminal (twice) or from stdin (one line), or an
// error to print.
Result<std::string> ReadPassword(const std::string& email) {
  std::string first;
  if (!isatty(STDIN_FILENO)) {
    if (!std::getline(std::cin, first)) return Status::Invalid("no password on stdin: give it as one line");
    if (!first.empty() && first.back() == '\r') first.pop_back();
    return first;
  }
  std::string second;
  {
    NoEcho quiet;
    std::cerr << "New console password for " << email << ": " << std::flush;
    std::getline(std::cin, first);
    std::cerr << "\nThe same again: " << std::flush;
    std::getline(std::cin, second);
    std::cerr << "\n";
  }
  if (first != second) return Status::Invalid("the two passwords differ; nothing was changed");
  return first;
}

int SetPassword(CliContext& ctx, const AgentFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  Result<std::string> email = ParseMailAddress(f.email);
  if (!email.ok()) {
    std::cerr << "frontdesk: " << f.email << ": " << email.status().message() << "\n";
    return kExitUsage;
  }
  // Someone who is not an agent hears so before typing a password.
  Result<std::string> password =
      config->IsAgent(*email) ? ReadPassword(*email) : NewPasswordHash(*config, *email, "");
  if (!password.ok()) {
    std::cerr << "frontdesk: " << password.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::string> hash = NewPasswordHash(*config, *email, *password);
  if (!hash.ok()) {
    std::cerr << "frontdesk: " << hash.status().message() << "\n";
    return kExitFailure;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  int64_t ended = 0;
  Status s = DirectTxnRunner(*store)([&](Store& st) -> Status {
    Result<int64_t> n = ReplacePassword(st, *email, *hash, ctx.clock->Now());
    if (!n.ok()) return n.status();
    ended = *n;
    return Status::Ok();
  });
  if (!s.ok()) {
    std::cerr << "frontdesk: " << s.message() << "\n";
    return s.transient() ? kExitTempFail : kExitFailure;
  }
  std::cout << "password set for " << *email << (ended ? "; " + std::to_string(ended) + " sessions ended" : "")
            << "\n";
  return kExitOk;
}

int Logout(CliContext& ctx, const AgentFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  Result<std::string> email = ParseMailAddress(f.email);
  if (!email.ok()) {
    std::cerr << "frontdesk: " << f.email << ": " << email.status().message() << "\n";
    return kExitUsage;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  int64_t ended = 0;
  Status s = DirectTxnRunner(*store)([&](Store& st) -> Status {
    Result<int64_t> n = AgentStore(st).EndSessions(*email);
    if (!n.ok()) return n.status();
    ended = *n;
    return Status::Ok();
  });
  if (!s.ok()) {
    std::cerr << "frontdesk: " << s.message() << "\n";
    return s.transient() ? kExitTempFail : kExitFailure;
  }
  std::cout << ended << " console sessions of " << *email << " ended\n";
  return kExitOk;
}

}  // namespace

void AddAgentCommands(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto flags = std::make_shared<AgentFlags>();
  CLI::App* agent = app.add_subcommand("agent", "Agents' console accounts.");
  agent->require_subcommand(1);
  CLI::App* password = agent->add_subcommand(
      "password",
      "Set the console password of an agent (a queue's agents). Reads one line from stdin, or asks twice on a "
      "terminal. Ends the agent's sessions.");
  password->add_option("email", flags->email, "The agent's address")->required();
  password->callback([&ctx, &exit_code, flags] { exit_code = SetPassword(ctx, *flags); });
  CLI::App* logout = agent->add_subcommand("logout", "End every console session of an agent.");
  logout->add_option("email", flags->email, "The agent's address")->required();
  logout->callback([&ctx, &exit_code, flags] { exit_code = Logout(ctx, *flags); });
}

}  // namespace frontdesk
