"""A private Dovecot IMAP server for tests.

It runs in the foreground under a scratch directory, listens on a free
loopback port, and is ended by its PID. Dovecot refuses to run as root, so
under root it runs as `nobody`. Messages go in with IMAP APPEND, the way a
mail server delivers them, so they get real UIDs in arrival order.
"""

import grp
import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

from harness import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def available():
    return os.path.exists(DOVECOT)


class Dovecot:
    def __init__(self, users=None):
        self.users = users or {"support": "s3cret"}
        self.dir = tempfile.mkdtemp(prefix="fd-dovecot-")
        self.port = free_port()
        self.proc = None
        if os.geteuid() == 0:
            self.user = "nobody"
            self.group = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
            self.group = grp.getgrgid(os.getegid()).gr_name
        self._write_config()

    def _write_config(self):
        d = self.dir
        for sub in ("run", "run/state", "log", "mail"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        with open(os.path.join(d, "passwd"), "w") as f:
            for user, password in self.users.items():
                f.write(f"{user}:{{PLAIN}}{password}\n")
        self.config_path = os.path.join(d, "dovecot.conf")
        with open(self.config_path, "w") as f:
            f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/run/state
instance_name = fd-test-dovecot-{self.port}
log_path = {d}/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {self.user}
default_internal_group = {self.group}
default_login_user = {self.user}
mail_location = maildir:{d}/mail/%u/Maildir
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={self.user} gid={self.group} home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        if os.geteuid() == 0:
            uid = pwd.getpwnam(self.user).pw_uid
            gid = pwd.getpwnam(self.user).pw_gid
            os.chmod(d, 0o755)
            for root, dirs, files in os.walk(d):
                for name in dirs + files:
                    os.chown(os.path.join(root, name), uid, gid)
            os.chown(d, uid, gid)

    def start(self, timeout=15):
        cmd = [DOVECOT, "-F", "-c", self.config_path]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", self.user, "--"] + cmd
        self.log = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("dovecot exited:\n" + self.log_text())
            try:
                with self.connect():
                    return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.05)
        raise AssertionError("dovecot did not start:\n" + self.log_text())

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            # runuser passes the signal on; the group catches any straggler.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        self.log.close()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        out = ""
        for name in ("stdout.log", "log/dovecot.log"):
            try:
                with open(os.path.join(self.dir, name), "rb") as f:
                    out += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return out

    # -- a client, as the mail server and the tests see the mailbox ---------
    def connect(self, user="support"):
        c = imaplib.IMAP4("127.0.0.1", self.port)
        c.login(user, self.users[user])
        return c

    def append(self, raw, folder="INBOX", user="support", client=None):
        if isinstance(raw, str):
            raw = raw.encode()
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        c = client or self.connect(user)
        try:
            if folder != "INBOX":
                c.create(folder)
            typ, data = c.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            if client is None:
                c.logout()

    def uids(self, folder="INBOX", user="support"):
        with self.connect(user) as c:
            typ, data = c.select(folder)
            if typ != "OK":
                return None
            typ, data = c.uid("SEARCH", None, "ALL")
            return [int(x) for x in data[0].split()]

    def messages(self, folder="INBOX", user="support"):
        """The raw messages in a folder, in UID order."""
        out = []
        with self.connect(user) as c:
            typ, _ = c.select(folder, readonly=True)
            if typ != "OK":
                return []
            typ, data = c.uid("SEARCH", None, "ALL")
            for uid in data[0].split():
                typ, msg = c.uid("FETCH", uid, "(BODY.PEEK[])")
                out.append(msg[0][1])
        return out

    def uidvalidity(self, folder="INBOX", user="support"):
        with self.connect(user) as c:
            typ, data = c.status(folder, "(UIDVALIDITY)")
            return int(data[0].split(b"UIDVALIDITY")[1].strip(b" )"))
