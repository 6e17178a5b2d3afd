-- The writes a sweep of the due tickets cannot avoid, as plain SQL: one
-- statement per kind of row, in one transaction, every index, trigger and
-- foreign key kept. The rows are shaped like the bench's sweep: two levels
-- fired per ticket (one raises the priority), a first response breached,
-- an `escalated` event per level, `sla_breached` and `priority_changed`,
-- and a notice to the agents for half of them. Rolled back, so that the
-- sweep after it finds the same tickets due; the commit's flush is left out.
-- Run by bench/postgres.sh: psql -v now=UNIX_SECONDS -f bench/sweep_floor.sql
\timing on
BEGIN;
SELECT set_config('frontdesk.touch', 'batch', true);
CREATE TEMP TABLE due ON COMMIT DROP AS
  SELECT id FROM tickets WHERE next_due_at IS NOT NULL AND next_due_at <= :now ORDER BY next_due_at LIMIT 1000;
INSERT INTO sla_levels_fired(ticket_id, target, cycle, level, fired_at)
  SELECT id, 'first_response', 0, l, :now FROM due, generate_series(0, 1) AS l;
INSERT INTO events(ticket_id, at, kind, actor, rule_id, detail)
  SELECT id, :now, k, 'system:sla:bench', NULL,
         '{"target":"first_response","cycle":0,"level":1,"at":"50%","actions":["notified agents"]}'
  FROM due, unnest(ARRAY['sla_breached', 'escalated', 'priority_changed', 'escalated']) AS k
  WHERE k <> 'priority_changed' OR id % 5 <> 0;  -- a fifth were urgent already
UPDATE sla_targets AS s SET breached_at = :now
  FROM due WHERE s.ticket_id = due.id AND s.target = 'first_response' AND s.met_at IS NULL;
UPDATE tickets AS t SET version = version + 5, updated_at = :now, priority = 'urgent',
                        next_due_at = next_due_at + 3600, sla_due_at = sla_due_at + 3600
  FROM due WHERE t.id = due.id;
INSERT INTO outbox(dedupe_key, ticket_id, kind, recipient, message_id, subject, body, next_attempt_at,
                   created_at, vars)
  SELECT 'floor:' || id, id, 'escalation', 'agent@example.test', 'floor.' || id || '@example.test',
         'Ticket ' || id || ' is late', '', :now, :now, '{"level":"50%"}'
  FROM due WHERE id % 2 = 0;
ROLLBACK;
