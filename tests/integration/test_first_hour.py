"""A new user's first hour, with the real binary: the quick start's token
line and the README's curl commands work as written, the quick start builds
only what `serve` needs, the errors of a first set-up name the real cause
(a config that is missing or unreadable, a data directory the command may
not enter, a data_dir under folders that do not exist yet, a token name
already taken), and the package's next steps say how to make a token."""

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import FRONTDESK_BIN, SOURCE_DIR, Frontdesk, free_port

MAIL = (b"From: Anna <anna@example.org>\r\nTo: support@example.test\r\nSubject: Printer\r\n"
        b"Message-ID: <first-hour@example.org>\r\n\r\nIt jams.\r\n")


def source(*parts):
    with open(os.path.join(SOURCE_DIR, *parts)) as f:
        return f.read()


def as_nobody(*args, stdin=None):
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", FRONTDESK_BIN, *args],
                          input=stdin, capture_output=True, timeout=60)


def shell(script, env=None):
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, **(env or {})))


def readme_quick_start():
    """The README's quick start section: the curl lines (continuations
    joined) of its first shell block, and its 'make another token' line."""
    text = source("README.md")
    section = text[text.index("## Quick start"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    curl_block = next(b for b in blocks if "curl" in b)
    curls = [line for line in curl_block.replace("\\\n", " ").splitlines() if line.startswith("curl")]
    another = next(line for b in blocks for line in b.splitlines() if line.startswith("export TOKEN=$("))
    return curls, another


class QuickStartTest(unittest.TestCase):
    """The token steps of packaging/quickstart.sh, run as written on a copy
    of the example config, then the README's commands against the daemon."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fd-first-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.public, self.admin = free_port(), free_port()
        text = source("config", "frontdesk.example.toml")
        text = text.replace('data_dir = "/var/lib/frontdesk"', f'data_dir = "{self.dir}/data"')
        text = text.replace("127.0.0.1:8080", f"127.0.0.1:{self.public}")
        text = text.replace("127.0.0.1:8081", f"127.0.0.1:{self.admin}")
        self.config = os.path.join(self.dir, "frontdesk.toml")
        with open(self.config, "w") as f:
            f.write(text)

    def quickstart_steps(self):
        """quickstart.sh from its config line to the line before it starts
        serve, with this test's binary and config."""
        lines = source("packaging", "quickstart.sh").splitlines()
        start = next(i for i, l in enumerate(lines) if l.startswith("config="))
        end = next(i for i, l in enumerate(lines) if l.startswith("exec "))
        body = "\n".join(lines[start + 2:end])
        self.assertTrue(lines[start + 1].startswith("bin="), lines[start + 1])
        r = shell(f"config={self.config}\nbin={FRONTDESK_BIN}\n{body}")
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def substitute(self, line):
        line = line.replace("127.0.0.1:8080", f"127.0.0.1:{self.public}")
        line = line.replace("127.0.0.1:8081", f"127.0.0.1:{self.admin}")
        line = line.replace("build-quickstart/frontdesk", FRONTDESK_BIN)
        return line.replace("config/frontdesk.example.toml", self.config)

    def serve(self):
        log = open(os.path.join(self.dir, "serve.log"), "wb")
        self.addCleanup(log.close)
        proc = subprocess.Popen([FRONTDESK_BIN, "serve", "--config", self.config], stdout=log, stderr=log)

        def stop():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.addCleanup(stop)
        deadline = time.time() + 15
        while time.time() < deadline:
            self.assertIsNone(proc.poll(), "serve exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.public}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.fail("serve did not answer /healthz")

    def run_readme_curls(self, export_line):
        """Runs `export_line` once, as the user pastes it, then each curl."""
        r = shell(f'{export_line}\nprintf %s "$TOKEN"')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^fdt_[A-Za-z0-9-]+_[A-Za-z0-9_-]+$", r.stderr)
        token = r.stdout
        curls, _ = readme_quick_start()
        self.assertEqual(len(curls), 4, curls)
        for line in curls:
            command, _, expected = line.partition("#")
            command = self.substitute(command.strip()).replace("curl ", "curl -fsS ", 1)
            r = shell(command, env={"TOKEN": token})
            self.assertEqual(r.returncode, 0, f"{command}\n{r.stderr}")
            # The comment shows the answer, or how it begins when it ends in "...}".
            expected = expected.strip()
            if expected:
                self.assertTrue(r.stdout.startswith(expected.removesuffix("}").removesuffix("...")),
                                f"{command}\n{r.stdout}")

    def test_the_quick_start_token_line_works_with_the_readme_commands(self):
        out = self.quickstart_steps()
        exports = re.findall(r"^  (export TOKEN=\S+)$", out, re.M)
        self.assertEqual(len(exports), 1, out)
        self.assertRegex(exports[0], r"^export TOKEN=fdt_[A-Za-z0-9-]+_[A-Za-z0-9_-]+$")
        self.serve()
        self.run_readme_curls(exports[0])

    def test_a_second_quick_start_prints_a_line_that_makes_another_token(self):
        self.quickstart_steps()
        out = self.quickstart_steps()
        lines = re.findall(r"^  (export TOKEN=.*)$", out, re.M)
        self.assertEqual(len(lines), 1, out)
        self.assertIn("--name NAME", lines[0])
        self.serve()
        r = shell(lines[0].replace("NAME", "second") + '\ncurl -fsS -H "Authorization: Bearer $TOKEN" '
                  f"http://127.0.0.1:{self.admin}/healthz")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_the_readme_make_another_token_line_works(self):
        subprocess.run([FRONTDESK_BIN, "migrate", "--config", self.config], check=True, capture_output=True)
        self.serve()
        _, another = readme_quick_start()
        self.run_readme_curls(self.substitute(another))

    def test_token_create_prints_the_secret_alone_on_stdout(self):
        subprocess.run([FRONTDESK_BIN, "migrate", "--config", self.config], check=True, capture_output=True)
        r = subprocess.run([FRONTDESK_BIN, "token", "create", "--name", "ci", "--scope", "read", "--config",
                            self.config], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\Afdt_[A-Za-z0-9-]+_[A-Za-z0-9_-]+\n\Z")
        self.assertIn("Created token 'ci'", r.stderr)


class QuickStartBuildTest(unittest.TestCase):
    def test_the_quick_start_builds_only_the_command(self):
        script = source("packaging", "quickstart.sh")
        configure = [l for l in script.splitlines() if l.startswith("cmake -S")]
        build = [l for l in script.splitlines() if l.startswith("cmake --build")]
        self.assertEqual(len(configure), 1, configure)
        self.assertEqual(len(build), 1, build)
        self.assertRegex(build[0], r"--target frontdesk$")
        tree = tempfile.mkdtemp(prefix="fd-qs-build-")
        self.addCleanup(shutil.rmtree, tree, True)
        command = configure[0].replace("-B build-quickstart", f"-B {tree} -G 'Unix Makefiles'")
        command = command.replace(" >/dev/null", "")
        r = subprocess.run(["bash", "-c", command], cwd=SOURCE_DIR, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run(["cmake", "--build", tree, "--target", "help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        targets = set(re.findall(r"^\.\.\. (\S+)", r.stdout, re.M))
        self.assertIn("frontdesk", targets)
        for absent in ("unit_tests", "frontdesk_bench", "hostile_mail"):
            self.assertNotIn(absent, targets)


class ConfigErrorTest(unittest.TestCase):
    def test_a_missing_config_says_why_and_what_to_do(self):
        r = subprocess.run([FRONTDESK_BIN, "check-config", "--config", "/nonexistent/fd.toml"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/fd.toml: cannot read the config file: No such file or directory. "
                      "Check the path given by --config or $FRONTDESK_CONFIG", r.stderr)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run as another user")
    def test_an_unreadable_config_names_the_permission_and_who_we_run_as(self):
        top = tempfile.mkdtemp(prefix="fd-cfg-")
        self.addCleanup(shutil.rmtree, top)
        os.chmod(top, 0o755)
        config = os.path.join(top, "fd.toml")
        with open(config, "w") as f:
            f.write('[[queue]]\nname = "support"\naddresses = ["support@example.test"]\n')
        os.chmod(config, 0o600)
        r = as_nobody("check-config", "--config", config)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{config}: cannot read the config file: Permission denied (running as nobody). Run the "
                      "command as a user who may read it", r.stderr.decode())


@unittest.skipUnless(os.geteuid() == 0, "needs root to leave a directory another user cannot enter")
class DataDirectoryTest(unittest.TestCase):
    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="fd-dd-")
        self.addCleanup(shutil.rmtree, self.top)
        os.chmod(self.top, 0o755)

    def write_config(self, data_dir):
        config = os.path.join(self.top, "fd.toml")
        with open(config, "w") as f:
            f.write(f'[server]\ndata_dir = "{data_dir}"\npublic_listen = "127.0.0.1:{free_port()}"\n'
                    f'admin_listen = "127.0.0.1:{free_port()}"\n'
                    '[[queue]]\nname = "support"\naddresses = ["support@example.test"]\n')
        os.chmod(config, 0o644)
        return config

    def test_mailgate_as_a_user_who_cannot_enter_the_data_directory_names_it(self):
        data = os.path.join(self.top, "data")
        config = self.write_config(data)
        r = subprocess.run([FRONTDESK_BIN, "migrate", "--config", config], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        os.chmod(data, 0o700)
        r = as_nobody("mailgate", "--config", config, stdin=MAIL)
        err = r.stderr.decode()
        # 75: the MTA keeps the message and retries once the set-up is fixed.
        self.assertEqual(r.returncode, 75, err)
        self.assertNotIn("does not exist", err)
        self.assertIn(f"cannot reach database {data}/frontdesk.db: nobody may not enter the directory {data} "
                      "(owner root:root, mode 0700). Fix: run this command as root, who owns the data", err)

    def test_migrate_creates_every_missing_parent_and_names_each(self):
        data = os.path.join(self.top, "srv", "frontdesk", "data")
        config = self.write_config(data + "/")
        r = subprocess.run([FRONTDESK_BIN, "migrate", "--config", config], capture_output=True, text=True,
                           preexec_fn=lambda: os.umask(0o022))
        self.assertEqual(r.returncode, 0, r.stderr)
        made = re.findall(r"^frontdesk: created the directory (\S+) \(mode (\d+)\)$", r.stderr, re.M)
        self.assertEqual(made, [(os.path.join(self.top, "srv"), "0755"),
                                (os.path.join(self.top, "srv", "frontdesk"), "0755"), (data, "0750")])
        self.assertEqual(stat.S_IMODE(os.stat(data).st_mode), 0o750)
        self.assertTrue(os.path.exists(os.path.join(data, "frontdesk.db")))
        r = subprocess.run([FRONTDESK_BIN, "migrate", "--config", config], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("created the directory", r.stderr)

    def test_migrate_under_a_file_says_which_path_is_not_a_directory(self):
        blocker = os.path.join(self.top, "srv")
        open(blocker, "w").close()
        config = self.write_config(os.path.join(blocker, "data"))
        r = subprocess.run([FRONTDESK_BIN, "migrate", "--config", config], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"cannot create data directory {blocker}/data: {blocker} is not a directory", r.stderr)


class TokenNameTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fd = Frontdesk()
        cls.fd.start()

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()

    def live(self, name):
        r = self.fd.cli("token", "list", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return [t for t in json.loads(r.stdout) if t["name"] == name and t["revoked_at"] is None]

    def test_a_taken_name_is_refused_until_its_token_is_revoked(self):
        first = self.fd.cli("token", "create", "--name", "ops", "--scope", "admin")
        self.assertEqual(first.returncode, 0, first.stderr)
        [ops] = self.live("ops")
        again = self.fd.cli("token", "create", "--name", "ops", "--scope", "read")
        self.assertEqual(again.returncode, 1)
        self.assertEqual(again.stdout, "")
        self.assertIn(f"frontdesk: a token named 'ops' already exists (id {ops['id']}, scope admin, created "
                      f"{ops['created_at']}); choose another name, or revoke that one first: "
                      f"frontdesk token revoke {ops['id']}", again.stderr.splitlines())
        self.assertEqual(len(self.live("ops")), 1)
        self.assertEqual(self.fd.get("/api/v1/tickets", token=first.stdout.strip()).status, 200)
        # Revoking by name reaches the one token, and frees the name.
        self.assertEqual(self.fd.cli("token", "revoke", "ops").returncode, 0)
        self.assertEqual(self.fd.get("/api/v1/tickets", token=first.stdout.strip()).status, 401)
        second = self.fd.cli("token", "create", "--name", "ops", "--scope", "read")
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(self.fd.get("/api/v1/tickets", token=second.stdout.strip()).status, 200)


class PackageNextStepsTest(unittest.TestCase):
    def test_postinst_says_how_to_make_a_token_as_the_service_user_after_the_start(self):
        postinst = source("packaging", "debian", "postinst")
        message = postinst[postinst.index("Next:"):postinst.index("\nMSG")]
        lines = [l.strip() for l in message.splitlines()]
        start = lines.index("2. systemctl enable --now frontdesk")
        token = [i for i, l in enumerate(lines) if "token create" in l]
        self.assertEqual(len(token), 1, message)
        self.assertGreater(token[0], start, "the token needs the database, which the start creates")
        self.assertEqual(lines[token[0]], "runuser -u frontdesk -- frontdesk token create --name admin "
                                          "--scope admin --config /etc/frontdesk/frontdesk.toml")


if __name__ == "__main__":
    unittest.main()
