#include "daemon/store/schema_pg_steps.h"

namespace frontdesk {
namespace {

// Version 15: the triggers a sweep's chunk fires work per statement
// (transition tables), and the touch triggers leave a batch's rows to the
// batch (TicketStore::WriteBatch), which moves its tickets itself: each
// swept ticket gets one new row version instead of one per event and clock.
constexpr const char* kStepV15 = R"sql(
DROP TRIGGER ticket_touch_event ON events;
DROP TRIGGER ticket_touch_target_insert ON sla_targets;
DROP TRIGGER ticket_touch_target_update ON sla_targets;
DROP TRIGGER ticket_due_target_delete ON sla_targets;
DROP TRIGGER kpi_fired_insert ON sla_levels_fired;
DROP TRIGGER kpi_fired_delete ON sla_levels_fired;
DROP TRIGGER kpi_targets_update ON sla_targets;
DROP FUNCTION ticket_touch_event();
DROP FUNCTION ticket_touch_target();
DROP FUNCTION ticket_due_refresh(BIGINT, BOOLEAN);
DROP FUNCTION kpi_fired_change();
DROP FUNCTION kpi_targets_update();

-- Per statement, so that a sweep's chunk of clocks forgets its hours once.
-- A row counts when its met, breached or counted time differs from the
-- row it replaced (a moved due time alone changes no figure).
CREATE FUNCTION kpi_targets_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH changed AS (
    SELECT n.ticket_id, n.met_at, n.breached_at FROM added n WHERE NOT EXISTS (
      SELECT 1 FROM removed o WHERE o.ticket_id = n.ticket_id AND o.target = n.target AND o.cycle = n.cycle
        AND o.met_at IS NOT DISTINCT FROM n.met_at AND o.breached_at IS NOT DISTINCT FROM n.breached_at
        AND o.business_seconds IS NOT DISTINCT FROM n.business_seconds)
    UNION ALL
    SELECT o.ticket_id, o.met_at, o.breached_at FROM removed o WHERE NOT EXISTS (
      SELECT 1 FROM added n WHERE o.ticket_id = n.ticket_id AND o.target = n.target AND o.cycle = n.cycle
        AND o.met_at IS NOT DISTINCT FROM n.met_at AND o.breached_at IS NOT DISTINCT FROM n.breached_at
        AND o.business_seconds IS NOT DISTINCT FROM n.business_seconds))
  DELETE FROM kpi_hours WHERE hour IN (
    SELECT coalesce(breached_at, met_at) / 3600 FROM changed
    UNION SELECT first_response_at / 3600 FROM tickets WHERE id IN (SELECT ticket_id FROM changed)
    UNION SELECT solved_at / 3600 FROM tickets WHERE id IN (SELECT ticket_id FROM changed));
  RETURN NULL;
END $$;
CREATE TRIGGER kpi_targets_update AFTER UPDATE ON sla_targets REFERENCING OLD TABLE AS removed NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION kpi_targets_update();

CREATE FUNCTION kpi_fired_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM kpi_hours WHERE hour IN (SELECT created_at / 3600 FROM tickets WHERE id IN (SELECT ticket_id FROM removed));
  ELSE
    DELETE FROM kpi_hours WHERE hour IN (SELECT created_at / 3600 FROM tickets WHERE id IN (SELECT ticket_id FROM added));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER kpi_fired_insert AFTER INSERT ON sla_levels_fired REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION kpi_fired_change();
CREATE TRIGGER kpi_fired_delete AFTER DELETE ON sla_levels_fired REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION kpi_fired_change();

-- Per statement: a sweep inserts a chunk's events in one statement, and
-- each ticket then gets one new row version, not one per event.
CREATE FUNCTION ticket_touch_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A batch (TicketStore::WriteBatch) moves its tickets itself.
  IF current_setting('frontdesk.touch', true) = 'batch' THEN RETURN NULL; END IF;
  UPDATE tickets SET version = version + n.rows, updated_at = greatest(updated_at, n.last_at)
  FROM (SELECT ticket_id, count(*) AS rows, max(at) AS last_at FROM added
        WHERE ticket_id IS NOT NULL GROUP BY ticket_id) n
  WHERE tickets.id = n.ticket_id;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_touch_event AFTER INSERT ON events REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION ticket_touch_event();

-- tickets.sla_due_at: the earliest due time of the ticket's running
-- targets. Per statement, like the events' touch: each row inserted or
-- updated moves its ticket's version by one, as on SQLite; a ticket a row
-- left (or a deleted row's) is brought up to date without a move.
CREATE FUNCTION ticket_touch_target() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('frontdesk.touch', true) = 'batch' THEN RETURN NULL; END IF;
  IF TG_OP = 'INSERT' THEN
    UPDATE tickets SET version = version + n.rows,
      sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                    WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
    FROM (SELECT ticket_id, count(*) AS rows FROM added GROUP BY ticket_id) n WHERE tickets.id = n.ticket_id;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE tickets SET version = version + n.rows,
      sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                    WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
    FROM (SELECT ticket_id, sum(bump) AS rows
          FROM (SELECT ticket_id, 1 AS bump FROM added UNION ALL SELECT ticket_id, 0 FROM removed) x
          GROUP BY ticket_id) n
    WHERE tickets.id = n.ticket_id;
  ELSE
    UPDATE tickets SET sla_due_at = (SELECT min(s.due_at) FROM sla_targets s
                                     WHERE s.ticket_id = tickets.id AND s.met_at IS NULL AND s.paused_since IS NULL)
    WHERE id IN (SELECT ticket_id FROM removed);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_touch_target_insert AFTER INSERT ON sla_targets REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION ticket_touch_target();
CREATE TRIGGER ticket_touch_target_update AFTER UPDATE ON sla_targets REFERENCING OLD TABLE AS removed NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION ticket_touch_target();
CREATE TRIGGER ticket_due_target_delete AFTER DELETE ON sla_targets REFERENCING OLD TABLE AS removed
FOR EACH STATEMENT EXECUTE FUNCTION ticket_touch_target();
)sql";

}  // namespace

const std::vector<const char*>& PgStepsAfterBaseline() {
  // Append each later version's PostgreSQL step here; never edit one that
  // has shipped.
  static const std::vector<const char*> steps = {kStepV15};
  return steps;
}

}  // namespace frontdesk
