"""A real SMTP sink for tests: aiosmtpd, in its own process, on a free
loopback port, ended by its PID. Each message lands as a file in a Maildir;
recipients whose local part starts with "reject" get a 550. SmtpServer's
`rejects` refuses chosen recipients with the reply given, line for line."""

import email
import json
import email.policy
import mailbox
import os
import shutil
import smtplib
import subprocess
import tempfile
import time
import uuid

from harness import end_process, free_port


class Sink:
    """The aiosmtpd handler (run by `python3 -m aiosmtpd -c smtp_sink.Sink DIR`)."""

    def __init__(self, directory, rejects=None, probe=None):
        self.box = mailbox.Maildir(directory, create=True)
        # Lower-case address -> the reply lines RCPT TO gets instead of 250.
        self.rejects = {k.lower(): v for k, v in (rejects or {}).items()}
        self.probe = probe

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) == 2:
            # The Maildir, and a JSON file of SmtpServer's `rejects` and probe.
            with open(args[1]) as f:
                setup = json.load(f)
            return cls(args[0], setup.get("rejects"), setup.get("probe"))
        if len(args) != 1:
            parser.error("Sink takes the Maildir and, optionally, its JSON setup")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.probe and address.lower() == self.probe:
            return "252 " + self.probe
        lines = self.rejects.get(address.lower())
        if lines is not None:
            return "\r\n".join(lines)
        if address.lower().startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        msg = mailbox.MaildirMessage(data)
        msg["X-Envelope-From"] = envelope.mail_from
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.box.add(msg)
        return "250 Message accepted for delivery"


# A Berlin office calendar, 09:00-17:00 on weekdays, and a policy on it:
# the first reply due in 4 business hours, the next in 8.
# Mon-Fri 09:00-17:00 in Warsaw: the calendar of the same-day and language
# tests, which add their own policies and holidays.
WARSAW_OFFICE = """
[calendar.office]
timezone = "Europe/Warsaw"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
"""

OFFICE_SLA = """
[calendar.office]
timezone = "Europe/Berlin"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
[[sla]]
name = "standard"
calendar = "office"
first_response = "4h"
next_response = "8h"
"""


class SmtpServer:
    def __init__(self, port=None, rejects=None):
        """rejects: {address: reply} refuses RCPT TO:<address> with the
        reply, a line or a list of lines sent as they are (a multi-line
        reply: ["550-5.1.1 first", "550 5.1.1 last"])."""
        self.dir = tempfile.mkdtemp(prefix="fd-smtp-")
        self.maildir = os.path.join(self.dir, "maildir")
        self.port = port or free_port()
        self.proc = None
        self.rejects = {k: [v] if isinstance(v, str) else list(v) for k, v in (rejects or {}).items()}

    def start(self, timeout=15):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
        self.log = open(os.path.join(self.dir, "sink.log"), "ab")
        # The probe address is this sink's own: a listener on the port that
        # does not know it is another test's sink, which won the port.
        probe = f"probe-{os.getpid()}-{uuid.uuid4().hex}@sink.invalid"
        args = [self.maildir, os.path.join(self.dir, "setup.json")]
        with open(args[-1], "w") as f:
            json.dump({"rejects": self.rejects, "probe": probe}, f)
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "smtp_sink.Sink", *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("aiosmtpd exited")
            try:
                if self.answers_probe(probe):
                    return self
                raise AssertionError(f"another SMTP server listens on port {self.port}")
            except (OSError, smtplib.SMTPException):
                time.sleep(0.05)
        raise AssertionError("aiosmtpd did not start")

    def answers_probe(self, probe):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=2) as smtp:
            smtp.ehlo("probe.invalid")
            smtp.mail("")
            code, text = smtp.rcpt(probe)
            smtp.rset()
            return code == 252 and text.decode(errors="replace") == probe

    def stop(self):
        end_process(self.proc)
        if self.proc:
            self.log.close()
        self.proc = None

    def wait_for(self, to, n, timeout=15):
        """Waits until `to` has at least n mails; returns them parsed, oldest
        first, or raises with how many there are."""
        deadline = time.time() + timeout
        while True:
            got = self.messages(to=to)
            if len(got) >= n:
                return [email.message_from_bytes(m, policy=email.policy.default) for m in got]
            if time.time() > deadline:
                raise AssertionError(f"{to} has {len(got)} mails, not {n}")
            time.sleep(0.05)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def messages(self, to=None):
        """The raw messages received, oldest first; only those for `to`
        when given."""
        if not os.path.isdir(os.path.join(self.maildir, "new")):
            return []
        box = mailbox.Maildir(self.maildir, create=False)
        # Maildir names start with the delivery time in seconds, then
        # ".M" and the microseconds, not zero-padded: sorted as numbers.
        def delivered(key):
            seconds, rest = key.split(".", 1)
            micro = rest[1:].split("P", 1)[0] if rest.startswith("M") else "0"
            return (int(seconds), int(micro) if micro.isdigit() else 0, key)
        out = [box[k] for k in sorted(box.keys(), key=delivered)]
        if to is not None:
            out = [m for m in out if m["X-Envelope-To"] == to]
        return [bytes(m) for m in out]
