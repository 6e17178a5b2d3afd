"""The daemon's lifecycle against the real `frontdesk serve`: start, reload
by SIGHUP and by the API, a broken reload that keeps the old config, a clean
SIGTERM, and a port that is already taken."""

import os
import signal
import sqlite3
import time
import unittest

from harness import Frontdesk, SOURCE_DIR, run_cli


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk()
        self.addCleanup(self.fd.close)

    def health(self):
        r = self.fd.get("/healthz", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def test_starts_and_answers_healthz(self):
        self.fd.start()
        r = self.fd.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})
        h = self.health()
        self.assertEqual(h["status"], "ok")
        self.assertEqual(h["config"]["generation"], 1)
        self.assertGreaterEqual(h["database"]["schema_version"], 3)
        self.assertEqual(self.fd.stop(), 0)

    def test_admin_needs_a_token(self):
        self.fd.start()
        r = self.fd.get("/healthz", admin=True)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"]["code"], "unauthorized")
        self.assertEqual(r.header("WWW-Authenticate"), "Bearer")
        r = self.fd.get("/healthz", token="fdt_nope_nope")
        self.assertEqual(r.status, 401)
        r = self.fd.post("/api/v1/config/reload", scope="read")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["message"],
                         "this needs a token with scope 'admin'; this token has 'read'")

    def test_sighup_with_broken_config_keeps_old_config_serving(self):
        self.fd.start()
        # A good reload first: the generation moves on.
        self.fd.signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.health()["config"]["generation"] == 2))

        # Now break the file: an unknown key and a bad value.
        good = self.fd.config_text()
        self.fd.write_config(good + '\n[logging]\nlevel = "shouty"\n')
        broken = good.replace('[logging]\nlevel = "debug"\n', '[logging]\nlevel = "shouty"\nfoo = 1\n')
        self.fd.write_config(broken)
        self.fd.signal(signal.SIGHUP)
        h = wait_for(lambda: (lambda h: h if h["config"]["last_reload_error"] else None)(self.health()))
        self.assertIsNotNone(h, self.fd.log_text())
        self.assertEqual(h["config"]["generation"], 2)
        err = h["config"]["last_reload_error"]
        self.assertIn(f"{self.fd.config_path}:", err)
        self.assertIn('logging.level: must be one of', err)
        self.assertIn("logging.foo: unknown key", err)
        # Still serving, on both listeners.
        self.assertEqual(self.fd.get("/healthz").status, 200)
        self.assertIn("config reload failed; still serving configuration generation 2",
                      self.fd.log_text())

        # Fixed again: the next reload succeeds and clears the error.
        self.fd.write_config(good)
        self.fd.signal(signal.SIGHUP)
        h = wait_for(lambda: (lambda h: h if h["config"]["generation"] == 3 else None)(self.health()))
        self.assertIsNotNone(h)
        self.assertIsNone(h["config"]["last_reload_error"])
        self.assertEqual(self.fd.stop(), 0)

    def test_api_reload_shares_the_reload_path(self):
        self.fd.start()
        r = self.fd.post("/api/v1/config/reload", scope="admin")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"status": "reloaded", "generation": 2})
        self.fd.write_config(self.fd.config_text() + "\n[form]\nqueue = \"nowhere\"\n")
        r = self.fd.post("/api/v1/config/reload", scope="admin")
        self.assertEqual(r.status, 422)
        body = r.json()
        self.assertEqual(body["error"]["code"], "invalid_config")
        self.assertIn('form.queue: unknown queue "nowhere"', body["error"]["message"])
        self.assertEqual(body["generation"], 2)
        self.assertEqual(self.health()["config"]["generation"], 2)

    def test_sigterm_exits_zero_with_a_clean_database(self):
        self.fd.start()
        for _ in range(20):
            self.assertEqual(self.fd.get("/healthz", scope="read").status, 200)
        self.assertEqual(self.fd.stop(), 0)
        self.assertIn("stopped cleanly", self.fd.log_text())
        if self.fd.postgres:
            return  # the rest is about the SQLite file
        # A clean close folds the WAL back: nothing is left to recover.
        self.assertFalse(os.path.exists(self.fd.db_path + "-wal")
                         and os.path.getsize(self.fd.db_path + "-wal") > 0)
        conn = sqlite3.connect(self.fd.db_path)
        try:
            self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            conn.close()

    def test_sigterm_finishes_the_request_in_flight(self):
        import socket
        self.fd.start()
        sock = socket.create_connection(("127.0.0.1", self.fd.public_port), timeout=10)
        self.addCleanup(sock.close)
        # Half a request is on the wire when SIGTERM arrives.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: fd\r\n")
        time.sleep(0.2)
        self.fd.signal(signal.SIGTERM)
        time.sleep(0.3)
        self.assertIsNone(self.fd.proc.poll(), "exited with a request in flight")
        sock.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
        self.assertIn(b'{"status":"ok"}', answer)
        self.assertEqual(self.fd.proc.wait(timeout=20), 0)
        # And nothing new is accepted once draining is over.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", self.fd.public_port), timeout=2).recv(1)

    def test_sigint_also_drains(self):
        self.fd.start()
        self.fd.signal(signal.SIGINT)
        self.assertEqual(self.fd.proc.wait(timeout=20), 0)

    def test_a_port_in_use_is_a_clear_error(self):
        self.fd.start()
        second = Frontdesk()
        self.addCleanup(second.close)
        second.public_port = self.fd.public_port
        second.write_config()
        second.start(wait=False)
        code = second.proc.wait(timeout=20)
        self.assertEqual(code, 1)
        self.assertIn(f"public listener: cannot listen on 127.0.0.1:{self.fd.public_port}",
                      second.log_text())
        # The first daemon is untouched.
        self.assertEqual(self.fd.get("/healthz").status, 200)

    def test_kill9_then_restart_keeps_the_database(self):
        self.fd.start()
        self.fd.kill9()
        self.fd.start()
        self.assertGreaterEqual(self.health()["database"]["schema_version"], 3)
        self.assertEqual(self.fd.stop(), 0)

    def test_serve_refuses_a_broken_config_at_start(self):
        self.fd.start()
        self.assertEqual(self.fd.stop(), 0)
        self.fd.write_config(self.fd.config_text() + '\n[form]\nqueue = "nowhere"\n')
        self.fd.start(wait=False)
        self.assertEqual(self.fd.proc.wait(timeout=20), 1)
        self.assertIn('form.queue: unknown queue "nowhere"', self.fd.log_text())


class ForeignLockTest(unittest.TestCase):
    @unittest.skipUnless(os.geteuid() == 0, "needs root to leave a file owned by another user")
    def test_a_lock_left_by_another_user_names_the_owner_and_the_fix(self):
        # serve was once run as root on the data directory the service
        # (here: nobody) owns; the lock it left is root's.
        import shutil
        import subprocess
        import tempfile
        from harness import FRONTDESK_BIN
        top = tempfile.mkdtemp(prefix="fd-lock-")
        self.addCleanup(shutil.rmtree, top)
        os.chmod(top, 0o755)
        data = os.path.join(top, "data")
        os.mkdir(data)
        shutil.chown(data, "nobody", "nogroup")
        lock = os.path.join(data, "serve.lock")
        with open(lock, "w"):
            pass
        os.chmod(lock, 0o640)
        config = os.path.join(top, "fd.toml")
        with open(config, "w") as f:
            f.write(f'[server]\ndata_dir = "{data}"\npublic_listen = "127.0.0.1:18080"\nadmin_listen = "127.0.0.1:18081"\n'
                    '[[queue]]\nname = "support"\naddresses = ["support@example.test"]\n')
        os.chmod(config, 0o644)
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", FRONTDESK_BIN,
                            "serve", "--config", config], capture_output=True, text=True, timeout=30)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 1, out)
        self.assertIn(f"cannot open {lock}: Permission denied; it belongs to root, and this process runs as nobody", out)
        self.assertIn(f"chown -R nobody: {data}", out)
        self.assertNotIn("another frontdesk serve is running", out)


class CheckConfigTest(unittest.TestCase):
    def test_example_config_passes(self):
        path = os.path.join(SOURCE_DIR, "config", "frontdesk.example.toml")
        r = run_cli("check-config", config=path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{path}: ok\n")

    def test_files_others_can_read_are_warned_about(self):
        fd = Frontdesk()
        self.addCleanup(fd.close)
        secret = os.path.join(os.path.dirname(fd.config_path), "smtp.pass")
        with open(secret, "w") as f:
            f.write("hunter2\n")
        fd.write_config(fd.config_text() + f'[smtp]\nurl = "smtp://127.0.0.1:2525"\npassword_file = "{secret}"\n'
                        'user = "fd"\ntls = "none"\n')
        os.chmod(fd.config_path, 0o644)
        os.chmod(secret, 0o644)
        r = fd.cli("check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"frontdesk: warning: the config file {fd.config_path} can be read by any user of this machine "
                      f"(mode 644); run: chmod o-rwx {fd.config_path}\n", r.stderr)
        self.assertIn(f"smtp.password_file {secret} can be read by any user", r.stderr)
        os.chmod(fd.config_path, 0o640)
        os.chmod(secret, 0o600)
        r = fd.cli("check-config")
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_every_error_is_printed(self):
        fd = Frontdesk()
        self.addCleanup(fd.close)
        fd.write_config('[server]\npublic_threads = "x"\nport = 1\n[logging]\nlevel = 3\n'
                        '[[queue]]\nname = "a"\nagents = ["nobody"]\n[form]\nqueue = "b"\n')
        r = fd.cli("check-config")
        self.assertEqual(r.returncode, 1)
        p = fd.config_path
        self.assertEqual(r.stderr,
                         f"{p}:2:18: server.public_threads: expected an integer, got a string\n"
                         f"{p}:3:1: server.port: unknown key\n"
                         f"{p}:5:9: logging.level: expected a string, got an integer\n"
                         f"{p}:8:11: queue[0].agents[0]: invalid mail address \"nobody\": it has no '@'\n"
                         f"{p}:10:9: form.queue: unknown queue \"b\"\n")

    def test_config_lookup_uses_the_environment(self):
        fd = Frontdesk()
        self.addCleanup(fd.close)
        env = dict(os.environ, FRONTDESK_CONFIG=fd.config_path)
        r = run_cli("check-config", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, f"{fd.config_path}: ok\n")

    def test_no_config_anywhere_says_where_it_looked(self):
        env = {k: v for k, v in os.environ.items() if k != "FRONTDESK_CONFIG"}
        if os.path.exists("/etc/frontdesk/frontdesk.toml"):
            self.skipTest("/etc/frontdesk/frontdesk.toml exists on this machine")
        r = run_cli("check-config", env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no config file: pass --config PATH, set FRONTDESK_CONFIG", r.stderr)


if __name__ == "__main__":
    unittest.main()
