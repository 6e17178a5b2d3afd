"""Starts and stops a real `frontdesk serve` for integration tests.

Everything runs on loopback, on free ports, in a scratch directory; every
process the harness starts is ended by its PID. Only the standard library is
used, so the tests run on Debian's /usr/bin/python3 as it comes.
"""

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

FRONTDESK_BIN = os.environ.get("FRONTDESK_BIN", "frontdesk")
# A PostgreSQL server (tests/postgres/with_postgres.sh): when set, every
# daemon gets a new database there instead of an SQLite file.
POSTGRES = os.environ.get("FRONTDESK_TEST_POSTGRES", "")
SOURCE_DIR = os.environ.get(
    "FRONTDESK_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def pg_connect(url):
    import psycopg2  # Debian's python3-psycopg2; only the PostgreSQL runs need it
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


def pg_admin(sql):
    conn = pg_connect(POSTGRES + "postgres")
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def pg_params(sql, params):
    """The tests' queries are written with SQLite's placeholders, ? or ?N."""
    sql = sql.replace("%", "%%")
    if re.search(r"\?\d", sql):
        return re.sub(r"\?(\d+)", r"%(p\1)s", sql), {f"p{i + 1}": v for i, v in enumerate(params)}
    return sql.replace("?", "%s"), params


class PgConnection:
    """The calls the tests make on an sqlite3 connection, on PostgreSQL: each
    statement commits by itself. Closing it moves every id sequence past
    the rows the test wrote with ids of its own, as SQLite's AUTOINCREMENT
    does by itself."""

    def __init__(self, url):
        self.conn = pg_connect(url)

    def execute(self, sql, params=()):
        cur = self.conn.cursor()
        cur.execute(*pg_params(sql, params))
        return cur

    def commit(self):
        pass

    def close(self):
        cur = self.conn.cursor()
        cur.execute("SELECT c.table_name, c.column_name FROM information_schema.columns c "
                    "WHERE c.table_schema = 'public' AND c.is_identity = 'YES'")
        for table, column in cur.fetchall():
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), max({column})) "
                        f"FROM {table} HAVING max({column}) IS NOT NULL")
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def free_port():
    """A loopback port no one listens on now, for a helper to bind soon.

    Tests run in parallel, and a port is free only until someone binds it.
    The kernel hands out port 0's ports from the ephemeral range in an order
    that lets two tests asking at once get the same one, and every outgoing
    connection draws from that range too. So the port is drawn at random
    below it, where only listeners live, and two tests meet on one port
    about once in 12,000 draws instead of often."""
    low, high = 20000, 32000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            high = min(high, int(f.read().split()[0]) - 1)
    except (OSError, ValueError, IndexError):
        pass
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free loopback port in {low}-{high}")


def read_text(path):
    """A helper's log, for a failure message; "" when there is none yet."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def end_process(proc, timeout=10):
    """Ends a helper the test started, by its PID: SIGTERM, then SIGKILL if
    it is still there after `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_cli(*args, config=None, stdin=None, env=None, timeout=60):
    """Runs one frontdesk command; returns CompletedProcess with text output."""
    cmd = [FRONTDESK_BIN]
    if config:
        cmd += ["--config", config]
    cmd += list(args)
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout,
                          env=env, text=isinstance(stdin, str) or stdin is None)


QUEUES = """
[[queue]]
name = "support"
display_name = "Test Support"
addresses = ["support@example.test"]
comment_addresses = ["support-comment@example.test"]
agents = ["agent@example.test"]
default = true
"""


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Frontdesk:
    """One daemon with its own directory, ports, database and admin token."""

    def __init__(self, extra_config="", queues=QUEUES, server_extra="", share_database_of=None, sqlite=False,
                 postgres_url=None):
        self.dir = tempfile.mkdtemp(prefix="fd-it-")
        self.data_dir = os.path.join(self.dir, "data")
        self.public_port = free_port()
        self.admin_port = free_port()
        while self.admin_port == self.public_port:  # the kernel may hand the same free port out twice
            self.admin_port = free_port()
        self.config_path = os.path.join(self.dir, "frontdesk.toml")
        self.log_path = os.path.join(self.dir, "serve.log")
        self.server_extra = server_extra
        self.queues = queues
        self.extra_config = extra_config
        self.proc = None
        self.env = None  # extra environment for the daemon and commands
        self.pg_database = None
        self.owns_database = share_database_of is None and postgres_url is None
        self.postgres_url = postgres_url  # a database of the test's own cluster
        if postgres_url is not None:
            self.pg_database = postgres_url.rsplit("/", 1)[1].split("?")[0]
        elif share_database_of is not None:
            # A second node: its own directory and ports, the first's database.
            assert share_database_of.postgres, "only a PostgreSQL database can be shared"
            self.pg_database = share_database_of.pg_database
        elif POSTGRES and not sqlite:
            self.pg_database = "fdit_" + os.path.basename(self.dir).replace("-", "_").lower()
            pg_admin(f"CREATE DATABASE {self.pg_database}")
        self.write_config()
        self.tokens = dict(share_database_of.tokens) if share_database_of is not None else {}

    # -- configuration ---------------------------------------------------
    def config_text(self):
        return (f'[server]\n'
                f'data_dir = "{self.data_dir}"\n'
                f'public_listen = "127.0.0.1:{self.public_port}"\n'
                f'admin_listen = "127.0.0.1:{self.admin_port}"\n'
                f'base_url = "http://127.0.0.1:{self.public_port}"\n'
                f'{self.server_extra}\n'
                f'[logging]\nlevel = "debug"\n'
                f'{self.database_config()}'
                f'{self.queues}\n{self.extra_config}\n')

    def database_config(self):
        return f'[database]\nurl = "{self.database_url}"\n' if self.pg_database else ""

    @property
    def postgres(self):
        return self.pg_database is not None

    @property
    def database_url(self):
        if self.postgres_url:
            return self.postgres_url
        return POSTGRES + self.pg_database if self.pg_database else "sqlite://" + self.db_path

    def write_config(self, text=None):
        with open(self.config_path, "w") as f:
            f.write(self.config_text() if text is None else text)

    @property
    def db_path(self):
        return os.path.join(self.data_dir, "frontdesk.db")

    def cli(self, *args, env=None, **kw):
        merged = dict(os.environ)
        merged.update(self.env or {})
        merged.update(env or {})
        return run_cli(*args, config=self.config_path, env=merged, **kw)

    # -- lifecycle --------------------------------------------------------
    def migrated(self):
        if self.postgres:
            return bool(self.query("SELECT to_regclass('frontdesk_schema') IS NOT NULL")[0][0])
        return os.path.exists(self.db_path)

    def start(self, wait=True):
        if not self.migrated():
            r = self.cli("migrate")
            assert r.returncode == 0, r.stderr
        if not self.tokens:
            for scope in ("read", "write", "admin"):
                r = self.cli("token", "create", "--name", f"test-{scope}", "--scope", scope)
                assert r.returncode == 0, r.stderr
                self.tokens[scope] = r.stdout.strip()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([FRONTDESK_BIN, "serve", "--config", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **(self.env or {})))
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"frontdesk exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("frontdesk did not become ready:\n" + self.log_text())

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=20):
        """SIGTERM, then wait; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("frontdesk did not stop on SIGTERM:\n" + self.log_text())
        self.proc = None
        self.log.close()
        return code

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.log.close()

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            self.log.close()
            self.proc = None
        if self.pg_database and self.owns_database:
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {self.pg_database} WITH (FORCE)")
            except Exception:  # the test cluster goes away after the run anyway
                pass
            self.pg_database = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        return read_text(self.log_path)

    # -- HTTP ------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, admin=False, token=None,
                scope=None, timeout=10):
        port = self.admin_port if admin or scope or token else self.public_port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        hdrs = dict(headers or {})
        if scope:
            token = self.tokens[scope]
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    # -- mail ----------------------------------------------------------------
    def deliver(self, data, *args, timeout=10):
        """Runs mailgate as an MTA does, asserts exit 0, and, while the
        daemon runs, waits until it has filed the spooled mail. Returns the
        CompletedProcess."""
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", self.config_path, *args], input=data,
                           capture_output=True, timeout=60, env=dict(os.environ, **(self.env or {})))
        assert r.returncode == 0, r.stderr
        deadline = time.time() + timeout
        while self.proc is not None and time.time() < deadline:
            if self.query("SELECT count(*) FROM inbound_spool")[0][0] == 0:
                break
            time.sleep(0.02)
        return r

    # -- database ----------------------------------------------------------
    def connect(self):
        """A connection for a test to write through: sqlite3's, or one that
        behaves like it on PostgreSQL."""
        if self.postgres:
            return PgConnection(self.database_url)
        return sqlite3.connect(self.db_path, timeout=10)

    def execute(self, sql, *params):
        """Runs one writing statement and commits it."""
        conn = self.connect()
        try:
            conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()

    def query(self, sql, *params):
        if self.postgres:
            conn = pg_connect(self.database_url)
            try:
                cur = conn.cursor()
                cur.execute(*pg_params(sql, params))
                rows = cur.fetchall() if cur.description else []
                return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
            finally:
                conn.close()
        conn = sqlite3.connect(self.db_path, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


def multipart(fields, files=()):
    """Encodes a form the way a browser does. fields: [(name, str)];
    files: [(name, filename, content_type, bytes)]. Returns (body, content_type)."""
    boundary = "----fdtest" + os.urandom(8).hex()
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode()
        out += value.encode() if isinstance(value, str) else value
        out += b"\r\n"
    for name, filename, ctype, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def urlencoded(fields):
    import urllib.parse
    return urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"


def sqlite_only(why):
    """Skips a test that is about SQLite itself when the run is on PostgreSQL."""
    import unittest
    return unittest.skipIf(bool(POSTGRES), "SQLite only: " + why)
