"""`frontdesk migrate-db` moves an SQLite installation into PostgreSQL: each
schema fixture, migrated to the latest version, is copied whole (every
table's rows, the ticket numbers, the next number), the daemon then serves
it from PostgreSQL, and a copy into a database that is not empty, or from a
file in use, is refused with nothing written.

Runs only beside a PostgreSQL server (FRONTDESK_TEST_POSTGRES)."""

import glob
import os
import shutil
import sqlite3
import unittest

from harness import POSTGRES, Frontdesk, pg_connect

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")


def sqlite_counts(path):
    db = sqlite3.connect(path)
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not t.startswith("sqlite_") and not t.startswith("message_search")]
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        db.close()


def pg_counts(url, tables):
    conn = pg_connect(url)
    try:
        cur = conn.cursor()
        out = {}
        for t in tables:
            cur.execute(f"SELECT count(*) FROM {t}")
            out[t] = cur.fetchone()[0]
        return out
    finally:
        conn.close()


@unittest.skipUnless(POSTGRES, "needs a PostgreSQL server (FRONTDESK_TEST_POSTGRES)")
class MigrateDbTest(unittest.TestCase):
    def installation(self, fixture):
        """An SQLite installation from a fixture, migrated to the latest schema."""
        lite = Frontdesk(sqlite=True)
        self.addCleanup(lite.close)
        os.makedirs(lite.data_dir)
        shutil.copyfile(fixture, lite.db_path)
        r = lite.cli("migrate")
        self.assertEqual(r.returncode, 0, r.stderr)
        return lite

    def test_every_fixture_is_copied_whole_and_served(self):
        fixtures = sorted(glob.glob(os.path.join(FIXTURES, "schema-v*.db")), key=lambda p: int(p.split("-v")[1][:-3]))
        self.assertGreaterEqual(len(fixtures), 7)
        for path in fixtures:
            with self.subTest(fixture=os.path.basename(path)):
                lite = self.installation(path)
                pg = Frontdesk()
                self.addCleanup(pg.close)
                r = pg.cli("migrate-db", "sqlite://" + lite.db_path, pg.database_url)
                self.assertEqual(r.returncode, 0, r.stderr)
                before = sqlite_counts(lite.db_path)
                self.assertEqual(pg_counts(pg.database_url, before), before)
                tickets = lite.query("SELECT id, subject, status, version, updated_at FROM tickets ORDER BY id")
                self.assertEqual(pg.query("SELECT id, subject, status, version, updated_at FROM tickets ORDER BY id"),
                                 tickets)
                targets = lite.query("SELECT ticket_id, target, cycle, due_at, met_at, breached_at FROM sla_targets "
                                     "ORDER BY ticket_id, target, cycle")
                self.assertEqual(pg.query("SELECT ticket_id, target, cycle, due_at, met_at, breached_at FROM sla_targets "
                                          "ORDER BY ticket_id, target, cycle"), targets)
                blobs = lite.query("SELECT sha256, data FROM blobs ORDER BY sha256")
                self.assertEqual(pg.query("SELECT sha256, data FROM blobs ORDER BY sha256"), blobs)
                seq = lite.query("SELECT seq FROM sqlite_sequence WHERE name = 'tickets'")
                expected_next = max([1000] + [row[0] for row in seq] + [t[0] for t in tickets]) + 1
                self.assertIn(f"the next ticket is number {expected_next}", r.stdout)
                # Vacuumed and analyzed: the planner has statistics at once.
                self.assertEqual(pg.query("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'tickets' "
                                          "AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"), [(1,)])
                # Served from PostgreSQL: the old tickets read back, the
                # tokens still work, and the next ticket gets the next number.
                pg.tokens = {}
                pg.start()
                if tickets:
                    got = pg.get(f"/api/v1/tickets/{tickets[0][0]}", scope="read")
                    self.assertEqual((got.status, got.json()["subject"]), (200, tickets[0][1]))
                created = pg.post("/api/v1/tickets", scope="write",
                                  body={"requester": {"email": "new@example.org"}, "subject": "After the move",
                                        "message": "Moved to PostgreSQL."})
                self.assertEqual(created.status, 201, created.body)
                self.assertEqual(created.json()["id"], expected_next)
                words = pg.get("/api/v1/tickets?q=PostgreSQL", scope="read").json()
                self.assertEqual([t["id"] for t in words["tickets"]], [expected_next])
                self.assertEqual(pg.stop(), 0)

    def test_a_database_not_empty_or_a_file_in_use_is_refused(self):
        fixtures = sorted(glob.glob(os.path.join(FIXTURES, "schema-v*.db")))
        lite = self.installation(fixtures[-1])
        pg = Frontdesk()
        self.addCleanup(pg.close)
        # The file in use: its write lock is held, as a running daemon would.
        holder = sqlite3.connect(lite.db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        r = pg.cli("migrate-db", lite.db_path, pg.database_url)
        holder.execute("ROLLBACK")
        holder.close()
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertIn("is in use", r.stderr)
        self.assertEqual(pg.cli("migrate-db", lite.db_path, pg.database_url).returncode, 0)
        again = pg.cli("migrate-db", lite.db_path, pg.database_url)
        self.assertEqual(again.returncode, 1)
        self.assertIn("not empty", again.stderr)
        self.assertEqual(pg.query("SELECT count(*) FROM tickets"), lite.query("SELECT count(*) FROM tickets"))
        wrong = pg.cli("migrate-db", pg.database_url, lite.db_path)
        self.assertEqual(wrong.returncode, 2)


if __name__ == "__main__":
    unittest.main()
