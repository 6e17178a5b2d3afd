#include "admin/migrate_db_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "daemon/base/secret_file.h"
#include "daemon/store/database_copy.h"
#include "daemon/store/store.h"

namespace frontdesk {
namespace {

struct MigrateDbFlags {
  std::string from, to, password_file;
};

int MigrateDb(const MigrateDbFlags& f) {
  if (IsPostgresUrl(f.from) || !IsPostgresUrl(f.to)) {
    std::cerr << "frontdesk: migrate-db: copies from an SQLite file (sqlite:///path or a path) into PostgreSQL "
                 "(postgres://...); got "
              << RedactedLocation(f.from) << " -> " << RedactedLocation(f.to) << "\n";
    return kExitUsage;
  }
  std::string path = SqlitePathOf(f.from);
  if (access(path.c_str(), R_OK) != 0) {
    std::cerr << "frontdesk: migrate-db: cannot read " << path << "\n";
    return kExitFailure;
  }
  DbOptions lite_options;
  lite_options.create = false;
  lite_options.busy_timeout = std::chrono::milliseconds(2000);
  Result<std::unique_ptr<Db>> from = Db::Open(path, lite_options);
  if (!from.ok()) {
    std::cerr << "frontdesk: migrate-db: " << from.status().message() << "\n";
    return kExitFailure;
  }
  // The write lock, held to the end: nothing writes to the file during the
  // copy, and a daemon still running is found now rather than missed.
  Result<std::unique_ptr<Txn>> hold = Txn::Begin(**from);
  if (!hold.ok()) {
    std::cerr << "frontdesk: migrate-db: " << path << " is in use (" << hold.status().message()
              << "); stop frontdesk serve, the MTA's mailgate and cron jobs first\n";
    return kExitTempFail;
  }

  StoreOptions pg_options;
  pg_options.migrate = true;
  if (!f.password_file.empty()) {
    Result<std::string> password = ReadSecretFile(f.password_file, "--password-file");
    if (!password.ok()) {
      std::cerr << "frontdesk: migrate-db: " << password.status().message() << "\n";
      return kExitFailure;
    }
    pg_options.password = *password;
  }
  Result<std::unique_ptr<Store>> to = Store::Open(f.to, pg_options);
  if (!to.ok()) {
    std::cerr << "frontdesk: migrate-db: " << to.status().message() << "\n";
    return to.status().transient() ? kExitTempFail : kExitFailure;
  }
  Result<std::unique_ptr<Txn>> txn = Txn::Begin((*to)->db());
  if (!txn.ok()) {
    std::cerr << "frontdesk: migrate-db: " << txn.status().message() << "\n";
    return kExitTempFail;
  }
  std::printf("%-20s %12s %12s\n", "table", "in the file", "copied");
  Result<CopyReport> report = CopyDatabase(**from, (*to)->db(), [](const TableCount& c) {
    std::printf("%-20s %12lld %12lld\n", c.table.c_str(), static_cast<long long>(c.source),
                static_cast<long long>(c.target));
    std::fflush(stdout);
  });
  Status s = report.ok() ? (*txn)->Commit() : report.status();
  if (!s.ok()) {
    std::cerr << "frontdesk: migrate-db: " << s.message() << "\nnothing was kept in " << RedactedLocation(f.to)
              << "; " << path << " is unchanged\n";
    return s.transient() ? kExitTempFail : kExitFailure;
  }
  std::printf("vacuuming and analyzing the copy...\n");
  std::fflush(stdout);
  s = AnalyzeCopy((*to)->db());
  if (!s.ok()) {
    std::cerr << "frontdesk: migrate-db: the copy is complete, but VACUUM (ANALYZE) failed: " << s.message()
              << "\nautovacuum will do it in time; until then some queries are slower\n";
  }
  int64_t rows = 0;
  for (const TableCount& c : report->tables) rows += c.target;
  std::cout << "copied " << rows << " rows of schema version " << report->schema_version << " into "
            << RedactedLocation(f.to) << "; " << report->indexed_messages
            << " messages indexed for search; the next ticket is number " << report->next_ticket << ".\n"
            << "Set [database] url to it, start frontdesk serve, and keep " << path
            << " until you have checked the result.\n";
  return kExitOk;
}

}  // namespace

void AddMigrateDbCommand(CLI::App& app, CliContext& ctx, int& exit_code) {
  (void)ctx;
  auto flags = std::make_shared<MigrateDbFlags>();
  CLI::App* cmd = app.add_subcommand(
      "migrate-db",
      "Copy a stopped SQLite installation into a new, empty PostgreSQL database: every row with its id, the "
      "search index rebuilt, the id sequences set; check every table's count; all or nothing. Then VACUUM (ANALYZE) "
      "the copy.");
  cmd->add_option("FROM", flags->from, "The SQLite file (a path, or sqlite:///path), at the latest schema version")
      ->required();
  cmd->add_option("TO", flags->to, "The PostgreSQL database (postgres://user@host/db), created and empty")->required();
  cmd->add_option("--password-file", flags->password_file, "A file holding the PostgreSQL password");
  cmd->callback([&exit_code, flags] { exit_code = MigrateDb(*flags); });
}

}  // namespace frontdesk
