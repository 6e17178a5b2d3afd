#include "daemon/store/schema.h"

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "daemon/store/schema_pg.h"
#include "daemon/store/schema_pg_steps.h"
#include "daemon/store/schema_v1.h"

namespace frontdesk {
namespace {

// Version 2: full-text search over messages, with FTS5 (SQLite's own), and
// the custom fields of the web form on the ticket. The index is contentless:
// the text already lives in `messages` (a message reread by `reprocess` has
// its old words removed first: TicketStore::Unquarantine).
constexpr const char* kSchemaV2 = R"sql(
CREATE VIRTUAL TABLE message_search USING fts5(
  subject, body, content='', tokenize='unicode61 remove_diacritics 2');
ALTER TABLE tickets ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';
)sql";

// Version 3: indexes for the agents' usual views, measured against a million
// tickets (docs/PERFORMANCE.md): "my open tickets" (assignee and status), a
// queue's tickets by status, a status by creation time, and the most
// recently updated. Without them, a filter with few matches walked a
// single-column index across most of the table.
constexpr const char* kSchemaV3 = R"sql(
CREATE INDEX tickets_assignee_status ON tickets(assignee, status, id) WHERE assignee IS NOT NULL;
CREATE INDEX tickets_queue_status    ON tickets(queue, status, id);
CREATE INDEX tickets_status_created  ON tickets(status, created_at, id);
CREATE INDEX tickets_updated         ON tickets(updated_at, id);
)sql";

// Version 4: the running state of an SLA clock. A clock keeps the business
// seconds its target holds for this ticket, what was left when it last
// started running or paused, and since when it runs; due times follow from
// these and the calendar (docs/SLA.md).
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE sla_targets ADD COLUMN total_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sla_targets ADD COLUMN remaining_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sla_targets ADD COLUMN running_since INTEGER;
)sql";

// IMAP polling: how each mailbox fares (for /healthz and the backoff), and
// the messages imported and committed but not yet moved or deleted on the
// server. Only those are ever moved or deleted: a poll finishes them first.
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE mailbox_state ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailbox_state ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailbox_state ADD COLUMN caught_up_at INTEGER;
ALTER TABLE mailbox_state ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
CREATE TABLE mailbox_pending (
  mailbox     TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid         INTEGER NOT NULL,
  ticket_id   INTEGER REFERENCES tickets(id),
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (mailbox, uidvalidity, uid)
) WITHOUT ROWID;

-- Secrets for signatures (Message-IDs, the loop header, survey links). They
-- live in the database so that a backup restores them with the mail they
-- signed, and threading keeps working after a restore.
-- Mail accepted by a quick `frontdesk mailgate` while the daemon runs:
-- durable on exit 0, filed into tickets by the daemon moments later. A row
-- is deleted in the same transaction that files it.
CREATE TABLE inbound_spool (
  id          INTEGER PRIMARY KEY,
  raw         BLOB NOT NULL,
  source      TEXT NOT NULL,
  queue       TEXT,
  as_comment  INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
);

CREATE TABLE secrets (
  name       TEXT PRIMARY KEY,
  value      BLOB NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Mail templates: an outbox row keeps the variables of its mail (a JSON
// object) and is written out with the configured template when it is sent.
// Rows without them (command errors) are sent as their body says.
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE outbox ADD COLUMN vars TEXT;
)sql";

// Version 7: indexes for the KPI report, which places each fact in its period
// by the time it happened: answered, solved, a target decided (breached, or
// else met), a reopening, a survey answered; and counts public replies per
// ticket from the index alone. Measured in docs/PERFORMANCE.md.
constexpr const char* kSchemaV7 = R"sql(
CREATE INDEX tickets_first_response ON tickets(first_response_at);
CREATE INDEX tickets_solved         ON tickets(solved_at);
CREATE INDEX sla_targets_decided    ON sla_targets(coalesce(breached_at, met_at), target, breached_at);
CREATE INDEX events_kind_at         ON events(kind, at);
CREATE INDEX messages_ticket_kind   ON messages(ticket_id, kind);
CREATE INDEX csat_answered          ON csat(answered_at);
)sql";

// Version 8: the satisfaction survey. A survey keeps when it was first
// answered (a new answer replaces the score only within a window of that)
// and how often. A low score puts its customer on the watch list, one row
// per ticket, until someone clears it; the flag and reason on `recipients`
// (never used) give way to it. /metrics counts breaches by target from a
// partial index.
//
// It also creates, where they are missing, the two tables version 5 gained
// after its first release (the spool of the quick mailgate, and the
// secrets): a database made by that first release is at version 5 without
// them. The upgrade fixtures found it.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE IF NOT EXISTS inbound_spool (
  id          INTEGER PRIMARY KEY,
  raw         BLOB NOT NULL,
  source      TEXT NOT NULL,
  queue       TEXT,
  as_comment  INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
);
CREATE TABLE IF NOT EXISTS secrets (
  name       TEXT PRIMARY KEY,
  value      BLOB NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE csat ADD COLUMN first_answered_at INTEGER;
ALTER TABLE csat ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
CREATE TABLE watch_list (
  address    TEXT NOT NULL,
  ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
  reason     TEXT NOT NULL,
  score      INTEGER,
  added_at   INTEGER NOT NULL,
  cleared_at INTEGER,
  cleared_by TEXT,
  PRIMARY KEY (address, ticket_id)
) WITHOUT ROWID;
CREATE INDEX watch_list_open ON watch_list(added_at) WHERE cleared_at IS NULL;
CREATE INDEX sla_targets_breached ON sla_targets(target) WHERE breached_at IS NOT NULL;
ALTER TABLE recipients DROP COLUMN watch;
ALTER TABLE recipients DROP COLUMN watch_reason;
)sql";

// Version 9: the KPI report's hourly cache. Each row holds every report
// fact whose time falls in one UTC hour (tickets received, first responses,
// solves, SLA targets decided, reopenings, survey answers), with the queue
// and assignee each ticket has, encoded by fact_codec. A report reads whole
// hours from here and the rest from the tables.
//
// The triggers keep it true: any write that could change a fact deletes
// the rows of the hours that fact was and is in, whichever code path makes
// the write, so a cached hour always equals what the tables would give. A
// deleted hour is read from the tables until the cache is filled again.
// Writes that change nothing a report reads (most SLA sweeps) delete
// nothing.
//
// The backlog is counted live, from an index that covers it, in the order
// it groups by: 0.09 s for 300,000 open tickets instead of 0.27.
constexpr const char* kSchemaV9 = R"sql(
CREATE INDEX tickets_backlog ON tickets(status, queue, priority, created_at, assignee);
CREATE TABLE kpi_hours (
  hour  INTEGER PRIMARY KEY,
  facts BLOB NOT NULL
);

CREATE TRIGGER kpi_tickets_insert AFTER INSERT ON tickets BEGIN
  DELETE FROM kpi_hours WHERE hour IN (NEW.created_at / 3600, NEW.first_response_at / 3600, NEW.solved_at / 3600);
END;
CREATE TRIGGER kpi_tickets_update AFTER UPDATE ON tickets
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.channel IS NOT NEW.channel
  OR OLD.first_response_at IS NOT NEW.first_response_at OR OLD.solved_at IS NOT NEW.solved_at
  OR OLD.reopened_count IS NOT NEW.reopened_count OR OLD.queue IS NOT NEW.queue
  OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.created_at / 3600, OLD.first_response_at / 3600, OLD.solved_at / 3600,
                                       NEW.created_at / 3600, NEW.first_response_at / 3600, NEW.solved_at / 3600);
  DELETE FROM kpi_hours WHERE (OLD.queue IS NOT NEW.queue OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id)
    AND hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id IN (OLD.id, NEW.id)
                 UNION SELECT at / 3600 FROM events WHERE ticket_id IN (OLD.id, NEW.id) AND kind = 'status_changed'
                 UNION SELECT answered_at / 3600 FROM csat WHERE ticket_id IN (OLD.id, NEW.id));
END;
CREATE TRIGGER kpi_tickets_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.created_at / 3600, OLD.first_response_at / 3600, OLD.solved_at / 3600)
    OR hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id = OLD.id
                UNION SELECT at / 3600 FROM events WHERE ticket_id = OLD.id AND kind = 'status_changed'
                UNION SELECT answered_at / 3600 FROM csat WHERE ticket_id = OLD.id);
END;

-- A target is written with INSERT OR REPLACE, which fires no delete
-- trigger; this one sees the row it replaces.
CREATE TRIGGER kpi_targets_insert BEFORE INSERT ON sla_targets
WHEN NOT EXISTS (SELECT 1 FROM sla_targets o WHERE o.ticket_id = NEW.ticket_id AND o.target = NEW.target
                 AND o.cycle = NEW.cycle AND o.met_at IS NEW.met_at AND o.breached_at IS NEW.breached_at
                 AND o.business_seconds IS NEW.business_seconds)
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (
    SELECT coalesce(o.breached_at, o.met_at) / 3600 FROM sla_targets o
      WHERE o.ticket_id = NEW.ticket_id AND o.target = NEW.target AND o.cycle = NEW.cycle
    UNION SELECT coalesce(NEW.breached_at, NEW.met_at) / 3600
    UNION SELECT CASE NEW.target WHEN 'first_response' THEN first_response_at WHEN 'resolution' THEN solved_at END / 3600
      FROM tickets WHERE id = NEW.ticket_id AND NEW.cycle = 0);
END;
CREATE TRIGGER kpi_targets_update AFTER UPDATE ON sla_targets
WHEN OLD.met_at IS NOT NEW.met_at OR OLD.breached_at IS NOT NEW.breached_at
  OR OLD.business_seconds IS NOT NEW.business_seconds OR OLD.target IS NOT NEW.target
  OR OLD.cycle IS NOT NEW.cycle OR OLD.ticket_id IS NOT NEW.ticket_id
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (coalesce(OLD.breached_at, OLD.met_at) / 3600,
                                       coalesce(NEW.breached_at, NEW.met_at) / 3600)
    OR hour IN (SELECT first_response_at / 3600 FROM tickets WHERE id IN (OLD.ticket_id, NEW.ticket_id)
                UNION SELECT solved_at / 3600 FROM tickets WHERE id IN (OLD.ticket_id, NEW.ticket_id));
END;
CREATE TRIGGER kpi_targets_delete AFTER DELETE ON sla_targets BEGIN
  DELETE FROM kpi_hours WHERE hour = coalesce(OLD.breached_at, OLD.met_at) / 3600
    OR hour IN (SELECT first_response_at / 3600 FROM tickets WHERE id = OLD.ticket_id
                UNION SELECT solved_at / 3600 FROM tickets WHERE id = OLD.ticket_id);
END;

CREATE TRIGGER kpi_fired_insert AFTER INSERT ON sla_levels_fired BEGIN
  DELETE FROM kpi_hours WHERE hour IN (SELECT created_at / 3600 FROM tickets WHERE id = NEW.ticket_id);
END;
CREATE TRIGGER kpi_fired_delete AFTER DELETE ON sla_levels_fired BEGIN
  DELETE FROM kpi_hours WHERE hour IN (SELECT created_at / 3600 FROM tickets WHERE id = OLD.ticket_id);
END;

CREATE TRIGGER kpi_messages_insert AFTER INSERT ON messages WHEN NEW.kind = 'reply' BEGIN
  DELETE FROM kpi_hours WHERE hour IN (SELECT solved_at / 3600 FROM tickets WHERE id = NEW.ticket_id);
END;
CREATE TRIGGER kpi_messages_update AFTER UPDATE ON messages
WHEN (OLD.kind = 'reply' OR NEW.kind = 'reply') AND (OLD.kind IS NOT NEW.kind OR OLD.ticket_id IS NOT NEW.ticket_id)
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (SELECT solved_at / 3600 FROM tickets WHERE id IN (OLD.ticket_id, NEW.ticket_id));
END;
CREATE TRIGGER kpi_messages_delete AFTER DELETE ON messages WHEN OLD.kind = 'reply' BEGIN
  DELETE FROM kpi_hours WHERE hour IN (SELECT solved_at / 3600 FROM tickets WHERE id = OLD.ticket_id);
END;

CREATE TRIGGER kpi_events_insert AFTER INSERT ON events WHEN NEW.kind = 'status_changed' BEGIN
  DELETE FROM kpi_hours WHERE hour = NEW.at / 3600;
END;
CREATE TRIGGER kpi_events_update AFTER UPDATE ON events
WHEN (OLD.kind = 'status_changed' OR NEW.kind = 'status_changed')
  AND (OLD.kind IS NOT NEW.kind OR OLD.at IS NOT NEW.at OR OLD.detail IS NOT NEW.detail
       OR OLD.ticket_id IS NOT NEW.ticket_id)
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.at / 3600, NEW.at / 3600);
END;
CREATE TRIGGER kpi_events_delete AFTER DELETE ON events WHEN OLD.kind = 'status_changed' BEGIN
  DELETE FROM kpi_hours WHERE hour = OLD.at / 3600;
END;

CREATE TRIGGER kpi_csat_insert AFTER INSERT ON csat WHEN NEW.answered_at IS NOT NULL BEGIN
  DELETE FROM kpi_hours WHERE hour = NEW.answered_at / 3600;
END;
CREATE TRIGGER kpi_csat_update AFTER UPDATE ON csat
WHEN OLD.score IS NOT NEW.score OR OLD.answered_at IS NOT NEW.answered_at OR OLD.scale_min IS NOT NEW.scale_min
  OR OLD.scale_max IS NOT NEW.scale_max OR OLD.ticket_id IS NOT NEW.ticket_id
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.answered_at / 3600, NEW.answered_at / 3600);
END;
CREATE TRIGGER kpi_csat_delete AFTER DELETE ON csat WHEN OLD.answered_at IS NOT NULL BEGIN
  DELETE FROM kpi_hours WHERE hour = OLD.answered_at / 3600;
END;
)sql";

// Schema 10 rewrites the two v9 triggers that look up a ticket's status
// changes. SQLite chose events_kind_at (kind, at) for "ticket_id IN (...)
// AND kind = 'status_changed'", walking every status change of every
// ticket: each status change, reassignment, first response or solve cost
// a scan that grew with the database (seeding 200,000 tickets took 12
// minutes, and most of it was this). "+kind" keeps that index out, so the
// lookup uses events_ticket and reads the ticket's own few events.
constexpr const char* kSchemaV10 = R"sql(
DROP TRIGGER kpi_tickets_update;
CREATE TRIGGER kpi_tickets_update AFTER UPDATE ON tickets
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.channel IS NOT NEW.channel
  OR OLD.first_response_at IS NOT NEW.first_response_at OR OLD.solved_at IS NOT NEW.solved_at
  OR OLD.reopened_count IS NOT NEW.reopened_count OR OLD.queue IS NOT NEW.queue
  OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.created_at / 3600, OLD.first_response_at / 3600, OLD.solved_at / 3600,
                                       NEW.created_at / 3600, NEW.first_response_at / 3600, NEW.solved_at / 3600);
  DELETE FROM kpi_hours WHERE (OLD.queue IS NOT NEW.queue OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id)
    AND hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id IN (OLD.id, NEW.id)
                 UNION SELECT at / 3600 FROM events WHERE ticket_id IN (OLD.id, NEW.id) AND +kind = 'status_changed'
                 UNION SELECT answered_at / 3600 FROM csat WHERE ticket_id IN (OLD.id, NEW.id));
END;
DROP TRIGGER kpi_tickets_delete;
CREATE TRIGGER kpi_tickets_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.created_at / 3600, OLD.first_response_at / 3600, OLD.solved_at / 3600)
    OR hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id = OLD.id
                UNION SELECT at / 3600 FROM events WHERE ticket_id = OLD.id AND +kind = 'status_changed'
                UNION SELECT answered_at / 3600 FROM csat WHERE ticket_id = OLD.id);
END;
)sql";

// Schema 11.
//
// A ticket's version and updated_at move with every change that shows in
// it: a message, an event, an SLA clock, a survey. Triggers do it, so no
// writer can forget, and an ETag or `sort=updated_at` never misses new mail.
// updated_at only moves forward (mail read from the spool carries the time
// it arrived, which may be earlier than the ticket's last change).
//
// `automatic`: a ticket opened by automatic mail that answers nothing of
// ours (an out-of-office reply to nothing we sent). It is kept, but counted
// in no KPI and no backlog. `merged_into`: a reply that arrived before the
// mail it answers opened a ticket of its own; when the parent arrived and
// nobody had acted on it yet, its messages moved to the parent's ticket and
// this one points there. `awaited_parents` holds the Message-IDs such a
// ticket answers that we had not seen.
constexpr const char* kSchemaV11 = R"sql(
ALTER TABLE tickets ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets(id);
CREATE INDEX tickets_automatic ON tickets(id) WHERE automatic = 1;

CREATE TABLE awaited_parents (
  message_id TEXT NOT NULL,
  ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, ticket_id)
) WITHOUT ROWID;

UPDATE tickets SET automatic = 1
WHERE channel = 'email' AND linked_ticket_id IS NULL AND first_response_at IS NULL
  AND (SELECT m.auto_submitted FROM messages m WHERE m.ticket_id = tickets.id ORDER BY m.id LIMIT 1) = 1;

DROP INDEX tickets_backlog;
CREATE INDEX tickets_backlog ON tickets(status, queue, priority, created_at, assignee) WHERE automatic = 0;

DROP TRIGGER kpi_tickets_update;
CREATE TRIGGER kpi_tickets_update AFTER UPDATE ON tickets
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.channel IS NOT NEW.channel
  OR OLD.first_response_at IS NOT NEW.first_response_at OR OLD.solved_at IS NOT NEW.solved_at
  OR OLD.reopened_count IS NOT NEW.reopened_count OR OLD.queue IS NOT NEW.queue
  OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id
  OR OLD.automatic IS NOT NEW.automatic OR OLD.merged_into IS NOT NEW.merged_into
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.created_at / 3600, OLD.first_response_at / 3600, OLD.solved_at / 3600,
                                       NEW.created_at / 3600, NEW.first_response_at / 3600, NEW.solved_at / 3600);
  DELETE FROM kpi_hours WHERE (OLD.queue IS NOT NEW.queue OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id
                               OR OLD.automatic IS NOT NEW.automatic OR OLD.merged_into IS NOT NEW.merged_into)
    AND hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id IN (OLD.id, NEW.id)
                 UNION SELECT at / 3600 FROM events WHERE ticket_id IN (OLD.id, NEW.id) AND +kind = 'status_changed'
                 UNION SELECT answered_at / 3600 FROM csat WHERE ticket_id IN (OLD.id, NEW.id));
END;
-- The cached hours counted automatic tickets.
DELETE FROM kpi_hours;
-- A sent row kept the server's "250 ..." as its last error.
UPDATE outbox SET last_error = NULL WHERE status = 'sent';

CREATE TRIGGER ticket_touch_message AFTER INSERT ON messages BEGIN
  UPDATE tickets SET version = version + 1, updated_at = max(updated_at, NEW.created_at) WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_touch_message_moved AFTER UPDATE OF ticket_id ON messages BEGIN
  UPDATE tickets SET version = version + 1, updated_at = max(updated_at, NEW.created_at)
  WHERE id IN (OLD.ticket_id, NEW.ticket_id);
END;
CREATE TRIGGER ticket_touch_event AFTER INSERT ON events WHEN NEW.ticket_id IS NOT NULL BEGIN
  UPDATE tickets SET version = version + 1, updated_at = max(updated_at, NEW.at) WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_touch_target_insert AFTER INSERT ON sla_targets BEGIN
  UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_touch_target_update AFTER UPDATE ON sla_targets BEGIN
  UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_touch_csat_insert AFTER INSERT ON csat BEGIN
  UPDATE tickets SET version = version + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_touch_csat_update AFTER UPDATE ON csat BEGIN
  UPDATE tickets SET version = version + 1, updated_at = max(updated_at, coalesce(NEW.answered_at, updated_at))
  WHERE id = NEW.ticket_id;
END;
)sql";

// Version 12: every mail that opens or joins a ticket looks up the
// Message-IDs it answers among the mail we sent, and without an index that
// read the whole outbox each time: filing slowed as the outbox grew.
constexpr const char* kSchemaV12 = R"sql(
CREATE INDEX outbox_message_id ON outbox(message_id);
)sql";

// Version 13: service standards. The KPI cache keeps each target's SLA
// policy (fact_codec version 2), so its hours are emptied and refilled, and
// a ticket given another policy empties the hours of its targets. Each
// (queue, policy, target) with a standard has a row once its rolling rate
// has first fallen below it: the lead is told when below_since goes from
// NULL to a time, which a conditional UPDATE makes happen once whichever
// process checks first.
constexpr const char* kSchemaV13 = R"sql(
DROP TRIGGER kpi_tickets_update;
CREATE TRIGGER kpi_tickets_update AFTER UPDATE ON tickets
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.channel IS NOT NEW.channel
  OR OLD.first_response_at IS NOT NEW.first_response_at OR OLD.solved_at IS NOT NEW.solved_at
  OR OLD.reopened_count IS NOT NEW.reopened_count OR OLD.queue IS NOT NEW.queue
  OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id
  OR OLD.automatic IS NOT NEW.automatic OR OLD.merged_into IS NOT NEW.merged_into
  OR OLD.sla_policy IS NOT NEW.sla_policy
BEGIN
  DELETE FROM kpi_hours WHERE hour IN (OLD.created_at / 3600, OLD.first_response_at / 3600, OLD.solved_at / 3600,
                                       NEW.created_at / 3600, NEW.first_response_at / 3600, NEW.solved_at / 3600);
  DELETE FROM kpi_hours WHERE (OLD.queue IS NOT NEW.queue OR OLD.assignee IS NOT NEW.assignee OR OLD.id IS NOT NEW.id
                               OR OLD.automatic IS NOT NEW.automatic OR OLD.merged_into IS NOT NEW.merged_into)
    AND hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id IN (OLD.id, NEW.id)
                 UNION SELECT at / 3600 FROM events WHERE ticket_id IN (OLD.id, NEW.id) AND +kind = 'status_changed'
                 UNION SELECT answered_at / 3600 FROM csat WHERE ticket_id IN (OLD.id, NEW.id));
  DELETE FROM kpi_hours WHERE OLD.sla_policy IS NOT NEW.sla_policy
    AND hour IN (SELECT coalesce(breached_at, met_at) / 3600 FROM sla_targets WHERE ticket_id IN (OLD.id, NEW.id));
END;
DELETE FROM kpi_hours;

CREATE TABLE standard_state (
  queue       TEXT NOT NULL,
  policy      TEXT NOT NULL,
  target      TEXT NOT NULL,
  below_since INTEGER,
  met         INTEGER NOT NULL,
  decided     INTEGER NOT NULL,
  falls       INTEGER NOT NULL DEFAULT 0,
  changed_at  INTEGER NOT NULL,
  PRIMARY KEY (queue, policy, target)
) WITHOUT ROWID;
)sql";

// Version 14: the agents' console. Passwords (Argon2id strings) and
// sessions (the SHA-256 of their secret, never the secret); what each agent
// last saw of a ticket; saved views; and each ticket's earliest due time among its
// running, unmet targets, kept by triggers whatever writes the targets, so
// a queue page sorted by what is due next reads an index, not every clock.
constexpr const char* kSchemaV14 = R"sql(
CREATE TABLE agent_passwords (
  email  TEXT PRIMARY KEY,
  hash   TEXT NOT NULL,
  set_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE console_sessions (
  id_hash      TEXT PRIMARY KEY,
  agent        TEXT NOT NULL,
  csrf         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  address      TEXT NOT NULL DEFAULT '',
  user_agent   TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX console_sessions_agent ON console_sessions(agent);

CREATE TABLE ticket_reads (
  agent        TEXT NOT NULL,
  ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
  last_event   INTEGER NOT NULL,
  last_message INTEGER NOT NULL,
  at           INTEGER NOT NULL,
  PRIMARY KEY (agent, ticket_id)
) WITHOUT ROWID;

ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER;
UPDATE tickets SET sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                                 WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL);
-- The triggers that already touch the ticket for every target write keep
-- its due time in the same UPDATE: one row write, not two.
DROP TRIGGER ticket_touch_target_insert;
CREATE TRIGGER ticket_touch_target_insert AFTER INSERT ON sla_targets BEGIN
  UPDATE tickets SET version = version + 1,
    sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                  WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
  WHERE id = NEW.ticket_id;
END;
DROP TRIGGER ticket_touch_target_update;
CREATE TRIGGER ticket_touch_target_update AFTER UPDATE ON sla_targets BEGIN
  UPDATE tickets SET version = version + 1,
    sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                  WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
  WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER ticket_due_target_moved AFTER UPDATE OF ticket_id ON sla_targets
WHEN OLD.ticket_id IS NOT NEW.ticket_id BEGIN
  UPDATE tickets SET sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                                   WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
  WHERE id = OLD.ticket_id;
END;
CREATE TRIGGER ticket_due_target_delete AFTER DELETE ON sla_targets BEGIN
  UPDATE tickets SET sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                                   WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
  WHERE id = OLD.ticket_id;
END;
-- A named filter of the queue page: an agent's own, or shared (no owner).
CREATE TABLE saved_views (
  id         INTEGER PRIMARY KEY,
  owner      TEXT,
  name       TEXT NOT NULL,
  params     TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views(coalesce(owner, ''), name);

-- Open tickets by what is due next (no due time last), overall, per queue
-- and per assignee: the console's queue views.
CREATE INDEX tickets_open_due ON tickets(coalesce(sla_due_at, 9223372036854775807), id)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_open_queue_due ON tickets(queue, coalesce(sla_due_at, 9223372036854775807), id)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_open_assignee_due ON tickets(assignee, coalesce(sla_due_at, 9223372036854775807), id)
  WHERE status IN ('new', 'open', 'pending', 'on_hold');
)sql";

// Version 15 changes PostgreSQL's triggers only (schema_pg.cpp): SQLite's
// row triggers already do per row what the batch of a sweep needs.
constexpr const char* kSchemaV15 = "-- nothing to change on SQLite";

// Append new steps here; never edit a step that has shipped.
const std::vector<const char*>& Steps() {
  static const std::vector<const char*> steps = {SchemaV1(), kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5, kSchemaV6, kSchemaV7,
                                                      kSchemaV8, kSchemaV9, kSchemaV10, kSchemaV11,
                                                      kSchemaV12, kSchemaV13, kSchemaV14, kSchemaV15};
  return steps;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Steps().size()); }

namespace {

// PostgreSQL keeps the version in a table of one row; SQLite in the file
// header (PRAGMA user_version).
Result<int> ReadPgSchemaVersion(Db& db) {
  Result<Stmt> exists = db.Prepare("SELECT to_regclass('frontdesk_schema') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  Result<bool> row = exists->Step();
  if (!row.ok()) return row.status();
  if (!*row || exists->Int(0) == 0) return 0;
  Result<Stmt> st = db.Prepare("SELECT version FROM frontdesk_schema");
  if (!st.ok()) return st.status();
  row = st->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(st->Int(0)) : 0;
}

// The SQL that takes a PostgreSQL database from `version` to the next.
const char* PgStepFrom(int version) {
  if (version == 0) return PgBaseline();
  size_t index = static_cast<size_t>(version - PgBaselineVersion());
  return index < PgStepsAfterBaseline().size() ? PgStepsAfterBaseline()[index] : nullptr;
}

}  // namespace

Result<int> ReadSchemaVersion(Db& db) {
  if (db.postgres()) return ReadPgSchemaVersion(db);
  Result<Stmt> st = db.Prepare("PRAGMA user_version");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(st->Int(0));
}

// Each step runs in a write transaction and reads the version again inside
// it: on SQLite the write lock, on PostgreSQL the writers' advisory lock,
// makes several processes that start together migrate once.
Result<int> Migrate(Db& db) {
  int applied = 0;
  for (;;) {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(db);
    if (!txn.ok()) return txn.status();
    Result<int> version = ReadSchemaVersion(db);
    if (!version.ok()) return version.status();
    if (*version > LatestSchemaVersion()) {
      return Status::Invalid("database schema version " + std::to_string(*version) +
                             " is newer than this frontdesk understands (" +
                             std::to_string(LatestSchemaVersion()) + "); upgrade frontdesk");
    }
    if (*version == LatestSchemaVersion()) return applied;

    int next = *version + 1;
    Status s;
    if (db.postgres()) {
      const char* step = PgStepFrom(*version);
      if (step == nullptr) {
        return Status::Internal("no PostgreSQL migration from schema version " + std::to_string(*version));
      }
      next = *version == 0 ? PgBaselineVersion() : next;
      s = db.Exec(step);
      if (s.ok()) s = db.Exec("CREATE TABLE IF NOT EXISTS frontdesk_schema (version BIGINT NOT NULL); "
                              "DELETE FROM frontdesk_schema; "
                              "INSERT INTO frontdesk_schema VALUES (" + std::to_string(next) + ")");
    } else {
      s = db.Exec(Steps()[next - 1]);
      // PRAGMA cannot take a bound parameter; the value is our own integer.
      if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(next));
    }
    if (!s.ok()) return Status::Internal("migration to version " + std::to_string(next) +
                                         " failed: " + s.message());
    s = (*txn)->Commit();
    if (!s.ok()) return s;
    spdlog::info("database migrated to schema version {}", next);
    ++applied;
  }
}

}  // namespace frontdesk
