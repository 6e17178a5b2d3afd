#include "daemon/store/schema_v1.h"

namespace frontdesk {
namespace {

// Version 1 lays down the tables for the whole design, so that later features
// fill columns in rather than reshape the file. Conventions:
// - times are INTEGER seconds since the Unix epoch, UTC;
// - lists and free-form details are JSON text;
// - raw mail and attachment bytes live in `blobs`, keyed by SHA-256, inside
//   this one database file (see docs/ARCHITECTURE.md, "Storage").
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE tickets (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  subject            TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN
                       ('new','open','pending','on_hold','solved','closed')),
  priority           TEXT NOT NULL CHECK (priority IN ('low','normal','high','urgent')),
  queue              TEXT NOT NULL,
  category           TEXT,
  assignee           TEXT,
  requester_email    TEXT NOT NULL,
  requester_name     TEXT NOT NULL DEFAULT '',
  channel            TEXT NOT NULL CHECK (channel IN ('web','email','api')),
  tags               TEXT NOT NULL DEFAULT '[]',
  quarantined        INTEGER NOT NULL DEFAULT 0,
  quarantine_reason  TEXT,
  route_rule         TEXT,
  auto_reply_suppressed INTEGER NOT NULL DEFAULT 0,
  sla_policy         TEXT,
  sla_policy_version INTEGER,
  sla_snapshot       TEXT,
  next_due_at        INTEGER,
  linked_ticket_id   INTEGER REFERENCES tickets(id),
  reopened_count     INTEGER NOT NULL DEFAULT 0,
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  first_response_at  INTEGER,
  solved_at          INTEGER,
  closed_at          INTEGER
);
-- Ticket numbers are the row ids, and start at 1001 so they never look like
-- a count. AUTOINCREMENT keeps a number from ever being reused.
INSERT INTO sqlite_sequence(name, seq) VALUES ('tickets', 1000);
CREATE INDEX tickets_next_due   ON tickets(next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX tickets_status     ON tickets(status, id);
CREATE INDEX tickets_queue      ON tickets(queue, id);
CREATE INDEX tickets_priority   ON tickets(priority, id);
CREATE INDEX tickets_assignee   ON tickets(assignee, id) WHERE assignee IS NOT NULL;
CREATE INDEX tickets_requester  ON tickets(requester_email, id);
CREATE INDEX tickets_created    ON tickets(created_at, id);
CREATE INDEX tickets_quarantine ON tickets(id) WHERE quarantined = 1;

CREATE TABLE ticket_addresses (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  address   TEXT NOT NULL,
  role      TEXT NOT NULL CHECK (role IN ('requester','cc','recipient')),
  PRIMARY KEY (ticket_id, role, address)
) WITHOUT ROWID;
CREATE INDEX ticket_addresses_address ON ticket_addresses(address);

CREATE TABLE blobs (
  id     INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  size   INTEGER NOT NULL,
  data   BLOB NOT NULL
);

CREATE TABLE raw_messages (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL REFERENCES blobs(sha256),
  source      TEXT NOT NULL,
  envelope    TEXT NOT NULL DEFAULT '{}',
  received_at INTEGER NOT NULL
);

CREATE TABLE messages (
  id             INTEGER PRIMARY KEY,
  ticket_id      INTEGER NOT NULL REFERENCES tickets(id),
  kind           TEXT NOT NULL CHECK (kind IN ('customer','reply','note','auto','system')),
  channel        TEXT NOT NULL,
  author_email   TEXT,
  author_name    TEXT,
  subject        TEXT NOT NULL DEFAULT '',
  body_text      TEXT NOT NULL DEFAULT '',
  body_html      TEXT,
  message_id     TEXT,
  in_reply_to    TEXT,
  refs           TEXT NOT NULL DEFAULT '[]',
  raw_id         INTEGER REFERENCES raw_messages(id),
  auto_submitted INTEGER NOT NULL DEFAULT 0,
  auto_reason    TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX messages_ticket     ON messages(ticket_id, id);
CREATE INDEX messages_message_id ON messages(message_id) WHERE message_id IS NOT NULL;

CREATE TABLE attachments (
  id           INTEGER PRIMARY KEY,
  message_id   INTEGER NOT NULL REFERENCES messages(id),
  ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
  filename     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL REFERENCES blobs(sha256),
  is_inline    INTEGER NOT NULL DEFAULT 0,
  content_id   TEXT
);
CREATE INDEX attachments_message ON attachments(message_id);
CREATE INDEX attachments_ticket  ON attachments(ticket_id);

CREATE TABLE events (
  id        INTEGER PRIMARY KEY,
  ticket_id INTEGER REFERENCES tickets(id),
  at        INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  actor     TEXT NOT NULL,
  rule_id   TEXT,
  detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_ticket ON events(ticket_id, id);

-- One row per accepted request, keyed by channel: "api:", "form:", "mail:",
-- "imap:". Finding the key again returns the ticket that already exists.
CREATE TABLE idempotency_keys (
  key            TEXT PRIMARY KEY,
  ticket_id      INTEGER NOT NULL REFERENCES tickets(id),
  message_id     INTEGER REFERENCES messages(id),
  request_sha256 TEXT,
  created_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE rejections (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  channel  TEXT NOT NULL,
  rule_id  TEXT,
  reason   TEXT NOT NULL,
  sender   TEXT,
  subject  TEXT,
  raw_id   INTEGER REFERENCES raw_messages(id)
);

-- Mail waiting to leave. dedupe_key is (ticket, event, recipient): the same
-- notification can be queued only once, however often its cause is replayed.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  dedupe_key      TEXT NOT NULL UNIQUE,
  ticket_id       INTEGER REFERENCES tickets(id),
  event_id        INTEGER REFERENCES events(id),
  kind            TEXT NOT NULL,
  automatic       INTEGER NOT NULL DEFAULT 1,
  recipient       TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  subject         TEXT NOT NULL,
  body            BLOB NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending','sent','failed','suppressed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
);
CREATE INDEX outbox_pending   ON outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);

CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  public_id     TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  scope         TEXT NOT NULL CHECK (scope IN ('read','write','admin')),
  secret_sha256 BLOB NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
);

-- SLA state per ticket, target and cycle (next_response starts a new cycle
-- after each customer message).
CREATE TABLE sla_targets (
  ticket_id        INTEGER NOT NULL REFERENCES tickets(id),
  target           TEXT NOT NULL CHECK (target IN
                     ('first_response','next_response','resolution')),
  cycle            INTEGER NOT NULL DEFAULT 0,
  started_at       INTEGER NOT NULL,
  due_at           INTEGER,
  paused_since     INTEGER,
  paused_seconds   INTEGER NOT NULL DEFAULT 0,
  met_at           INTEGER,
  breached_at      INTEGER,
  business_seconds INTEGER,
  PRIMARY KEY (ticket_id, target, cycle)
) WITHOUT ROWID;

-- The primary key is what makes each escalation level fire exactly once,
-- whichever process sweeps first.
CREATE TABLE sla_levels_fired (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  target    TEXT NOT NULL,
  cycle     INTEGER NOT NULL,
  level     INTEGER NOT NULL,
  fired_at  INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, target, cycle, level)
) WITHOUT ROWID;

CREATE TABLE mailbox_state (
  mailbox         TEXT PRIMARY KEY,
  uidvalidity     INTEGER,
  last_uid        INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,
  last_error      TEXT,
  last_error_at   INTEGER
) WITHOUT ROWID;

CREATE TABLE recipients (
  address       TEXT PRIMARY KEY,
  bouncing      INTEGER NOT NULL DEFAULT 0,
  bounced_at    INTEGER,
  bounce_reason TEXT,
  watch         INTEGER NOT NULL DEFAULT 0,
  watch_reason  TEXT
) WITHOUT ROWID;

CREATE TABLE csat (
  ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id),
  requester   TEXT NOT NULL,
  nonce       TEXT NOT NULL UNIQUE,
  scheduled_at INTEGER NOT NULL,
  sent_at     INTEGER,
  expires_at  INTEGER,
  scale_min   INTEGER,
  scale_max   INTEGER,
  score       INTEGER,
  comment     TEXT,
  answered_at INTEGER
);
CREATE INDEX csat_requester ON csat(requester, scheduled_at);
)sql";

}  // namespace

const char* SchemaV1() { return kSchemaV1; }

}  // namespace frontdesk
