"""`frontdesk parse-mail --json` on the project's own test messages
(tests/data/mail/NAME.eml, each with its reviewed NAME.json), and on hostile
input made here: every message parses, into valid UTF-8, and says what it
had to repair."""

import glob
import json
import os
import subprocess
import tempfile
import unittest

from harness import FRONTDESK_BIN, SOURCE_DIR

DATA = os.path.join(SOURCE_DIR, "tests", "data", "mail")


def parse(path):
    r = subprocess.run([FRONTDESK_BIN, "parse-mail", path, "--json"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.decode("utf-8"))


class ParseMailTest(unittest.TestCase):
    def test_own_messages_match_their_expected_json(self):
        files = sorted(glob.glob(os.path.join(DATA, "*.eml")))
        self.assertGreaterEqual(len(files), 10)
        for path in files:
            with self.subTest(message=os.path.basename(path)):
                with open(path[:-4] + ".json", encoding="utf-8") as f:
                    expected = json.load(f)
                self.assertEqual(parse(path), expected)

    def test_hostile_messages_parse_without_harm(self):
        cases = {
            "empty": b"",
            "binary": bytes(range(256)) * 64,
            "huge-header": b"Subject: " + b"A" * (1 << 20) + b"\r\nFrom: a@b.c\r\n\r\nbody\r\n",
            "truncated-base64": b"From: a@b.c\r\nSubject: t\r\nContent-Type: application/pdf\r\n"
                                b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgZmFr",
            "missing-boundary": b"From: a@b.c\r\nSubject: m\r\nContent-Type: multipart/mixed; boundary=\"nope\"\r\n\r\n"
                                b"--other\r\nContent-Type: text/plain\r\n\r\nhello\r\n--other--\r\n",
            "broken-encoded-word": b"From: a@b.c\r\nSubject: =?utf-8?B?!!!?= =?unknown-charset?Q?x?=\r\n\r\nx\r\n",
            "invalid-utf8-declared": b"From: a@b.c\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                                     b"bad \xff\xfe bytes\r\n",
            "no-content-type": b"From: a@b.c\r\nSubject: s\r\n\r\nplain\r\n",
        }
        with tempfile.TemporaryDirectory() as d:
            for name, data in cases.items():
                with self.subTest(case=name):
                    path = os.path.join(d, name + ".eml")
                    with open(path, "wb") as f:
                        f.write(data)
                    got = parse(path)  # strict UTF-8 JSON, exit 0
                    self.assertIsInstance(got["body_text"], str)
                    if name == "invalid-utf8-declared":
                        self.assertEqual(got["body_text"], "bad \ufffd\ufffd bytes\n")
                        self.assertIn("text declared as UTF-8 is not; invalid bytes were replaced", got["problems"])
                    if name == "huge-header":
                        self.assertEqual(len(got["subject"]), 1 << 20)
                    if name == "missing-boundary":
                        self.assertIn("hello", got["body_text"] + json.dumps(got["attachments"]) + json.dumps(got["problems"]))

    def test_raw_8bit_headers_fall_back_to_the_configured_charset(self):
        # No charset anywhere: UTF-8 is tried first, then --fallback-charset
        # (mail.fallback_charset in the daemon).
        raw = ("From: a@example.cn\r\nSubject: ".encode() + "发票".encode("gb18030") +
               b"\r\n\r\nbody\r\n")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "gb.eml")
            with open(path, "wb") as f:
                f.write(raw)
            r = subprocess.run([FRONTDESK_BIN, "parse-mail", path, "--json", "--fallback-charset", "GB18030"],
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout.decode("utf-8"))["subject"], "发票")
            self.assertEqual(parse(path)["subject"], "·¢Æ±")  # windows-1252, the default fallback


if __name__ == "__main__":
    unittest.main()
