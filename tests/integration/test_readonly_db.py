"""A database that was read-only once: the -wal and -shm files SQLite made
while it was are repaired when they are ours, and named with the command
that fixes them when they are not; serve and mailgate never fail with an
error that hides which file is at fault. Runs the real binary as the
unprivileged user nobody, on files left by root, as an IT person would
meet them after running a command as the wrong user."""

import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import unittest

from harness import FRONTDESK_BIN, free_port, sqlite_only

MAIL = (b"From: Anna <anna@example.org>\r\nTo: support@example.test\r\nSubject: Printer\r\n"
        b"Message-ID: <ro1@example.org>\r\n\r\nIt jams.\r\n")


def as_nobody(*args, stdin=None):
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", FRONTDESK_BIN, *args],
                          input=stdin, capture_output=True, timeout=60)


@unittest.skipUnless(os.geteuid() == 0, "needs root to leave files owned by another user")
@sqlite_only("file modes of the SQLite file and its -wal and -shm")
class ReadOnlyDatabaseTest(unittest.TestCase):
    def setUp(self):
        top = tempfile.mkdtemp(prefix="fd-ro-")
        self.addCleanup(shutil.rmtree, top)
        os.chmod(top, 0o755)
        self.data = os.path.join(top, "data")
        os.mkdir(self.data)
        shutil.chown(self.data, "nobody", "nogroup")
        self.db = os.path.join(self.data, "frontdesk.db")
        self.config = os.path.join(top, "fd.toml")
        with open(self.config, "w") as f:
            f.write(f'[server]\ndata_dir = "{self.data}"\npublic_listen = "127.0.0.1:{free_port()}"\n'
                    f'admin_listen = "127.0.0.1:{free_port()}"\n'
                    '[[queue]]\nname = "support"\naddresses = ["support@example.test"]\n')
        os.chmod(self.config, 0o644)
        r = as_nobody("migrate", "--config", self.config)
        self.assertEqual(r.returncode, 0, r.stderr)

    def leave_read_only_side_files(self, owner):
        """What an open while the database was 0440 leaves: a -wal and a
        -shm with the database's read-only mode."""
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS t_ro (x)")
        con.commit()
        # Keep the -wal: a second connection holds it open while the first
        # closes, and neither checkpoints it away.
        keep = sqlite3.connect(self.db)
        keep.execute("SELECT 1").fetchall()
        con.close()
        for suffix in ("-wal", "-shm"):
            path = self.db + suffix
            if not os.path.exists(path):
                open(path, "wb").close()
            shutil.chown(path, owner, "nogroup" if owner == "nobody" else "root")
            os.chmod(path, 0o440)
        keep.close()
        for suffix in ("-wal", "-shm"):
            self.assertTrue(os.path.exists(self.db + suffix))

    def test_read_only_side_files_of_our_own_are_repaired_and_the_mail_is_filed(self):
        self.leave_read_only_side_files("nobody")
        r = as_nobody("mailgate", "--config", self.config, stdin=MAIL)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"created", r.stdout)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.db + suffix):
                self.assertEqual(stat.S_IMODE(os.stat(self.db + suffix).st_mode),
                                 stat.S_IMODE(os.stat(self.db).st_mode))
        self.assertIn(b"was read-only", r.stderr)

    def test_read_only_side_files_of_another_user_are_named_with_the_fix(self):
        self.leave_read_only_side_files("root")
        r = as_nobody("mailgate", "--config", self.config, stdin=MAIL)
        self.assertEqual(r.returncode, 75, r.stderr)
        err = r.stderr.decode()
        self.assertRegex(err, rf"{self.db}-(wal|shm) is read-only for nobody \(mode 0440, owner root\)")
        self.assertIn("chown nobody: " + self.db + "-", err)
        r = as_nobody("serve", "--config", self.config)
        self.assertNotEqual(r.returncode, 0)
        # serve logs to its journal (stdout) as well as stderr.
        self.assertRegex((r.stdout + r.stderr).decode(), rf"{self.db}-(wal|shm) is read-only for nobody")

    def test_a_read_only_database_is_named_and_serve_does_not_start_half_working(self):
        os.chmod(self.db, 0o440)
        r = as_nobody("serve", "--config", self.config)
        self.assertNotEqual(r.returncode, 0)
        err = (r.stdout + r.stderr).decode()
        self.assertIn(f"database file {self.db} is read-only for nobody (mode 0440, owner nobody)", err)
        self.assertIn(f"chmod 0640 {self.db}", err)
        r = as_nobody("mailgate", "--config", self.config, stdin=MAIL)
        self.assertEqual(r.returncode, 75)
        self.assertIn(f"{self.db} is read-only for nobody", r.stderr.decode())


if __name__ == "__main__":
    unittest.main()
