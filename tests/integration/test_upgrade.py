"""Upgrades and backups with the real commands: a migration from a database
written by each earlier schema version (tests/fixtures, made by Frontdesk at
those versions) keeps every ticket and leaves a backup of the old file; a
backup taken while tickets pour in passes SQLite's integrity check and
restores into a working daemon; restore refuses while serve runs."""

import glob
import json
import os
import shutil
import sqlite3
import threading
import time
import unittest

from harness import Frontdesk, run_cli, sqlite_only

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def integrity(path):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0], conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@sqlite_only("the old schemas, backup and restore are SQLite files")
class UpgradeTest(unittest.TestCase):
    def fixtures(self):
        found = sorted(glob.glob(os.path.join(FIXTURES, "schema-v*.db")), key=lambda p: int(p.split("-v")[1][:-3]))
        self.assertGreaterEqual(len(found), 7)
        return found

    def test_every_old_schema_migrates_and_keeps_every_ticket(self):
        latest = None
        for path in self.fixtures():
            with self.subTest(fixture=os.path.basename(path)):
                with open(path[:-3] + ".json") as f:
                    manifest = json.load(f)
                fd = Frontdesk()
                self.addCleanup(fd.close)
                os.makedirs(fd.data_dir)
                shutil.copyfile(path, fd.db_path)
                r = fd.cli("migrate")
                self.assertEqual(r.returncode, 0, r.stderr)
                latest = int(r.stdout.split("schema version ")[1])
                self.assertGreater(latest, manifest["schema_version"])
                self.assertEqual(integrity(fd.db_path), ("ok", latest))
                self.assertEqual([list(t) for t in fd.query("SELECT id, subject FROM tickets ORDER BY id")],
                                 manifest["tickets"])
                # The file as it was is kept, whole, before the first step.
                (backup,) = glob.glob(os.path.join(fd.data_dir, "backups", f"frontdesk-*-pre-v{latest}.db"))
                self.assertEqual(integrity(backup), ("ok", manifest["schema_version"]))
                old = sqlite3.connect(backup)
                self.assertEqual([list(t) for t in old.execute("SELECT id, subject FROM tickets ORDER BY id")],
                                 manifest["tickets"])
                old.close()
                # The daemon serves the migrated file, and a ticket reads back.
                fd.start()
                if manifest["tickets"]:
                    first = manifest["tickets"][0]
                    got = fd.get(f"/api/v1/tickets/{first[0]}", scope="read")
                    self.assertEqual((got.status, got.json()["subject"]), (200, first[1]))
                created = fd.post("/tickets", body={"email": "new@example.org", "subject": "After the upgrade",
                                                    "message": "m"})
                self.assertEqual(created.status, 201, created.body)
                self.assertEqual(fd.stop(), 0)
                # Migrating again is a no-op and takes no second backup.
                self.assertEqual(fd.cli("migrate").returncode, 0)
                self.assertEqual(len(glob.glob(os.path.join(fd.data_dir, "backups", "*.db"))), 1)

    def test_a_backup_during_writes_is_whole_and_restores(self):
        fd = Frontdesk(extra_config='[backup]\nkeep = 2\n')
        self.addCleanup(fd.close)
        fd.start()
        stop = threading.Event()
        made = []

        def writer():
            i = 0
            while not stop.is_set():
                r = fd.post("/api/v1/tickets", body={"requester": {"email": f"w{i}@example.org"},
                                                     "subject": f"Load {i}", "message": "m"}, scope="write")
                if r.status == 201:
                    made.append(r.json()["id"])
                i += 1

        threads = [threading.Thread(target=writer) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            deadline = time.time() + 30
            while len(made) < 20 and time.time() < deadline:
                time.sleep(0.05)
            outputs = []
            for _ in range(3):
                r = fd.cli("backup")
                self.assertEqual(r.returncode, 0, r.stderr)
                outputs.append(r.stdout)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertIn("integrity ok", outputs[0])
        self.assertIn("removed ", outputs[2])  # keep = 2
        backups = sorted(glob.glob(os.path.join(fd.data_dir, "backups", "frontdesk-*.db")), key=os.path.getmtime)
        self.assertEqual(len(backups), 2)
        for b in backups:
            self.assertEqual(integrity(b)[0], "ok")
        self.assertEqual(glob.glob(os.path.join(fd.data_dir, "backups", "*.part")), [])

        # Restore refuses beside a running daemon.
        r = fd.cli("restore", backups[-1])
        self.assertEqual(r.returncode, 75)
        self.assertIn("stop it first", r.stderr)

        # Into another installation: every ticket of the copy is there.
        conn = sqlite3.connect(backups[-1])
        in_copy = [i for (i,) in conn.execute("SELECT id FROM tickets ORDER BY id")]
        conn.close()
        self.assertGreaterEqual(len(in_copy), 20, (len(made), fd.query("SELECT count(*) FROM tickets"), outputs))
        self.assertEqual(in_copy, sorted(made)[:len(in_copy)])
        other = Frontdesk()
        self.addCleanup(other.close)
        r = other.cli("restore", backups[-1])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([i for (i,) in other.query("SELECT id FROM tickets ORDER BY id")], in_copy)
        other.tokens = dict(fd.tokens)  # the restored database holds fd's tokens
        other.start()
        self.assertEqual(other.get(f"/api/v1/tickets/{in_copy[-1]}", scope="read").status, 200)
        self.assertEqual(other.stop(), 0)

        # A restore over an existing database keeps that one first.
        fd.stop()
        before = fd.query("SELECT count(*) FROM tickets")[0][0]
        r = fd.cli("restore", backups[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        (kept,) = glob.glob(os.path.join(fd.data_dir, "backups", "frontdesk-*-pre-restore.db"))
        conn = sqlite3.connect(kept)
        self.assertEqual(conn.execute("SELECT count(*) FROM tickets").fetchone()[0], before)
        conn.close()

    def test_check_config_names_backup_mistakes(self):
        fd = Frontdesk(extra_config='[backup]\nkeep = 0\nbefore_migrate = "yes"\ndirectory = "/srv"\n')
        self.addCleanup(fd.close)
        r = fd.cli("check-config")
        self.assertEqual(r.returncode, 1)
        for expected in ("backup.keep: ", "backup.before_migrate: expected a boolean, got a string",
                         "backup.directory: unknown key"):
            self.assertIn(expected, r.stderr)
        self.assertRegex(r.stderr, r"frontdesk\.toml:\d+:\d+: backup\.keep: ")

    def test_a_damaged_or_foreign_file_is_not_restored(self):
        fd = Frontdesk()
        self.addCleanup(fd.close)
        bad = os.path.join(fd.dir, "bad.db")
        with open(bad, "wb") as f:
            f.write(b"SQLite format 3\x00" + b"\x00" * 200)
        r = fd.cli("restore", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("frontdesk: restore:", r.stderr)
        empty = os.path.join(fd.dir, "empty.db")
        sqlite3.connect(empty).close()
        r = fd.cli("restore", empty)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not a Frontdesk database", r.stderr)
        r = fd.cli("restore", os.path.join(fd.dir, "missing.db"))
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(fd.db_path))


if __name__ == "__main__":
    unittest.main()
