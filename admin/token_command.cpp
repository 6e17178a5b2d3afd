#include "admin/token_command.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/store/token_store.h"

namespace frontdesk {
namespace {

struct TokenFlags {
  std::string name;
  std::string scope = "read";
  std::string target;
  bool json = false;
};

int Create(CliContext& ctx, const TokenFlags& f) {
  std::optional<Scope> scope = ParseScope(f.scope);
  if (!scope) {
    std::cerr << "frontdesk: --scope must be read, write or admin\n";
    return kExitUsage;
  }
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitFailure;
  TokenStore tokens(*store);
  // One transaction, so that two creates at once cannot both find the name free.
  Result<NewToken> t = Status::Internal("no token made");
  Status s = DirectTxnRunner(*store)([&](Store&) {
    t = tokens.Create(f.name, *scope, ctx.clock->Now());
    return t.ok() ? Status::Ok() : t.status();
  });
  if (!s.ok()) {
    std::cerr << "frontdesk: " << s.message() << "\n";
    return kExitFailure;
  }
  std::cerr << "Created token '" << t->info.name << "' (id " << t->info.public_id << ", scope "
            << ScopeName(t->info.scope) << "). Keep the secret below; it is not shown again.\n";
  std::cout << t->secret << "\n";
  return kExitOk;
}

int List(CliContext& ctx, const TokenFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitFailure;
  TokenStore tokens(*store);
  Result<std::vector<TokenInfo>> list = tokens.List();
  if (!list.ok()) {
    std::cerr << "frontdesk: " << list.status().message() << "\n";
    return kExitFailure;
  }
  auto time_or_null = [](const std::optional<Timestamp>& t) {
    return t ? nlohmann::json(FormatRfc3339(*t)) : nlohmann::json(nullptr);
  };
  if (f.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const TokenInfo& t : *list) {
      out.push_back({{"id", t.public_id},
                     {"name", t.name},
                     {"scope", ScopeName(t.scope)},
                     {"created_at", FormatRfc3339(t.created_at)},
                     {"last_used_at", time_or_null(t.last_used_at)},
                     {"revoked_at", time_or_null(t.revoked_at)}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%-10s %-24s %-6s %-21s %-21s %s\n", "ID", "NAME", "SCOPE", "CREATED", "LAST USED",
              "REVOKED");
  for (const TokenInfo& t : *list) {
    std::printf("%-10s %-24s %-6s %-21s %-21s %s\n", t.public_id.c_str(), t.name.c_str(),
                ScopeName(t.scope), FormatRfc3339(t.created_at).c_str(),
                t.last_used_at ? FormatRfc3339(*t.last_used_at).c_str() : "-",
                t.revoked_at ? FormatRfc3339(*t.revoked_at).c_str() : "-");
  }
  return kExitOk;
}

int Revoke(CliContext& ctx, const TokenFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitFailure;
  TokenStore tokens(*store);
  Status s = tokens.Revoke(f.target, ctx.clock->Now());
  if (!s.ok()) {
    std::cerr << "frontdesk: " << s.message() << "\n";
    return kExitFailure;
  }
  std::cout << "revoked " << f.target << "\n";
  return kExitOk;
}

}  // namespace

void AddTokenCommands(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* token = app.add_subcommand("token", "Manage admin API tokens.");
  token->require_subcommand(1);

  CLI::App* create = token->add_subcommand(
      "create", "Create a token and print its secret once. Only a hash is stored.");
  create->add_option("--name", flags->name, "A name that says who or what uses the token")->required();
  create->add_option("--scope", flags->scope, "read, write or admin (each includes the ones before)")
      ->check(CLI::IsMember({"read", "write", "admin"}));
  create->callback([&ctx, &exit_code, flags] { exit_code = Create(ctx, *flags); });

  CLI::App* list = token->add_subcommand("list", "List tokens, with when each was last used.");
  list->add_flag("--json", flags->json, "Print JSON");
  list->callback([&ctx, &exit_code, flags] { exit_code = List(ctx, *flags); });

  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by its id or name.");
  revoke->add_option("token", flags->target, "The token's id or name")->required();
  revoke->callback([&ctx, &exit_code, flags] { exit_code = Revoke(ctx, *flags); });
}

}  // namespace frontdesk
