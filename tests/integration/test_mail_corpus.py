"""Parses the shared public mail corpus (../shared/mail-corpus, beside the
project, when it exists) with the real `frontdesk parse-mail --json`. Every
message must parse without a crash, into valid UTF-8; agreement with the
other parser's subject and sender is reported, and must stay above a floor
so that a regression shows. The corpus is never copied into the project."""

import glob
import json
import os
import subprocess
import unittest

from harness import FRONTDESK_BIN, SOURCE_DIR

CORPUS = os.path.join(SOURCE_DIR, "..", "shared", "mail-corpus")


def their_view(parsed):
    """Subject and sender from the other parser's top-level headers."""
    subject, sender = None, None
    headers = parsed.get("parts", [{}])[0].get("headers", []) if parsed.get("parts") else []
    for h in headers:
        name, value = h.get("name", ""), h.get("value")
        name = name.lower() if isinstance(name, str) else ""  # other headers come as objects
        if name == "subject" and subject is None and isinstance(value, dict):
            subject = value.get("Text")
        if name == "from" and sender is None and isinstance(value, dict):
            addr = value.get("Address", {})
            lst = addr.get("List") or (addr.get("Group") or [{}])[0].get("addresses", [])
            if lst:
                sender = (lst[0].get("address") or "").lower()
    return subject, sender


@unittest.skipUnless(os.path.isdir(CORPUS), "the shared mail corpus is not beside the project")
class MailCorpusTest(unittest.TestCase):
    def test_every_message_parses_and_mostly_agrees(self):
        files = sorted(glob.glob(os.path.join(CORPUS, "*", "*.eml")))
        self.assertGreater(len(files), 100)
        agree_subject = agree_sender = compared_subject = compared_sender = 0
        differences = []
        for path in files:
            r = subprocess.run([FRONTDESK_BIN, "parse-mail", path, "--json"], capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 0, f"{path}: {r.stderr[-500:]}")
            ours = json.loads(r.stdout.decode("utf-8"))  # strict: must be valid UTF-8
            theirs_path = path[:-4] + ".json"
            if not os.path.exists(theirs_path):
                continue
            with open(theirs_path, encoding="utf-8") as f:
                subject, sender = their_view(json.load(f))
            rel = os.path.relpath(path, CORPUS)
            if subject is not None:
                compared_subject += 1
                if ours["subject"].strip() == subject.strip():
                    agree_subject += 1
                else:
                    differences.append(f"{rel}: subject {ours['subject']!r} vs {subject!r}")
            if sender:
                compared_sender += 1
                if ours["from_address"] == sender:
                    agree_sender += 1
                else:
                    differences.append(f"{rel}: sender {ours['from_address']!r} vs {sender!r}")
        # Known and accepted: a few legacy messages carry an undeclared 8-bit
        # "ö" in the Subject. The other parser shows U+FFFD; Frontdesk reads
        # undeclared 8-bit text as UTF-8 when valid, else as the configured
        # fallback charset (windows-1252), and so shows the "ö" the sender wrote.
        print(f"\ncorpus: {len(files)} messages; subject agrees {agree_subject}/{compared_subject}, "
              f"sender agrees {agree_sender}/{compared_sender}")
        for d in differences:
            print("  differs:", d)
        # Measured on 2026-11-30: 74 of 79 subjects (the five above) and 75
        # of 75 senders. Fewer is a regression in reading real mail.
        self.assertGreaterEqual(agree_subject, 74)
        self.assertGreaterEqual(agree_sender, 75)


if __name__ == "__main__":
    unittest.main()
