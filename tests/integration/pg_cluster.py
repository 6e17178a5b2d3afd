"""Private PostgreSQL clusters for the tests that need more than the shared
one: a primary with a synchronous standby, for failover.

Each cluster lives in a temporary directory, listens on a free loopback
port with its socket in that directory, and is stopped by the PID it wrote.
As root the servers run as the postgres user, since PostgreSQL refuses to
run as root. Only Debian's postgresql-15 binaries are used."""

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time

from harness import free_port, pg_connect, read_text


def bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return found[-1] if found else None


def as_owner(cmd):
    return ["runuser", "-u", "postgres", "--"] + cmd if os.geteuid() == 0 else cmd


class Cluster:
    def __init__(self, root, name):
        self.dir = os.path.join(root, name)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.log = os.path.join(self.dir, "server.log")
        os.makedirs(self.dir)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *cmd, check=True):
        r = subprocess.run(as_owner([os.path.join(bindir(), cmd[0]), *cmd[1:]]), capture_output=True, text=True,
                           timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"{cmd[0]} failed: {r.stdout}{r.stderr}\n{self.log_text()}")
        return r

    def log_text(self):
        return read_text(self.log)

    def url(self, db="postgres"):
        return f"postgres://frontdesk@127.0.0.1:{self.port}/{db}"

    def start(self, **settings):
        opts = [f"-c listen_addresses=127.0.0.1", f"-p {self.port}", f"-k {self.dir}"]
        opts += [f"-c {k}={v}" for k, v in settings.items()]
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start", "-o", " ".join(opts))

    def pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def crash(self):
        """As if the machine died: every server process exits at once,
        without a checkpoint (pg_ctl stop -m immediate)."""
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)

    def stop(self):
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            return
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


class ReplicatedPair:
    """A primary and one synchronous standby: a commit returns only once the
    standby has it."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="fd-pg-pair-")
        os.chmod(self.root, 0o755)
        self.primary = Cluster(self.root, "primary")
        self.standby = Cluster(self.root, "standby")
        while self.standby.port == self.primary.port:  # two free ports, not one twice
            self.standby.port = free_port()

    def start(self):
        p = self.primary
        p.run("initdb", "-D", p.data, "-U", "frontdesk", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with open(os.path.join(p.data, "pg_hba.conf"), "a") as f:
            f.write("host replication frontdesk 127.0.0.1/32 trust\n")
        p.start(wal_level="replica", max_wal_senders=5, synchronous_commit="on",
                synchronous_standby_names="'FIRST 1 (standby1)'")
        s = self.standby
        s.run("pg_basebackup", "-D", s.data, "-h", "127.0.0.1", "-p", str(p.port), "-U", "frontdesk", "-R",
              "-X", "stream")
        with open(os.path.join(s.data, "postgresql.auto.conf"), "a") as f:
            f.write(f"primary_conninfo = 'host=127.0.0.1 port={p.port} user=frontdesk application_name=standby1'\n")
        s.start(hot_standby="on")
        # Wait until the standby streams synchronously.
        deadline = time.time() + 30
        while time.time() < deadline:
            r = subprocess.run(["psql", "-Atq", p.url(), "-c",
                                "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'"],
                               capture_output=True, text=True)
            if r.stdout.strip() == "sync":
                return self
            time.sleep(0.1)
        raise AssertionError("the standby never became synchronous:\n" + s.log_text())

    def create_database(self, name):
        """Creates `name` on the primary; returns the multi-host URL that
        follows the primary wherever it is."""
        conn = pg_connect(self.primary.url())
        try:
            conn.cursor().execute(f"CREATE DATABASE {name}")
        finally:
            conn.close()
        hosts = f"127.0.0.1:{self.primary.port},127.0.0.1:{self.standby.port}"
        return f"postgres://frontdesk@{hosts}/{name}?target_session_attrs=read-write"

    def promote(self):
        self.standby.run("pg_ctl", "-D", self.standby.data, "-w", "promote")

    def close(self):
        for c in (self.standby, self.primary):
            c.stop()
        shutil.rmtree(self.root, ignore_errors=True)
