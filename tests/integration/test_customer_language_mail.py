"""Customers read Frontdesk's mail in their queue's language: a Polish, a
Russian and an Italian customer each get the acknowledgement with the
promised reply time as their language writes a date, the Content-Language
header, and a subject every client can show; an operator's own template
wins in every language; check-config refuses an unknown language with its
place. The real daemon and SMTP sink, the clock pinned to Friday 20
November 2026, 14:00 in Warsaw."""

import re
import unittest

from harness import Frontdesk
from smtp_sink import WARSAW_OFFICE, SmtpServer

NOW = "2026-11-20T13:00:00Z"

QUEUES = """
[[queue]]
name = "pl"
display_name = "Sklep"
addresses = ["sklep@example.test"]
agents = ["agent@example.test"]
language = "pl-PL"
default = true

[[queue]]
name = "ru"
addresses = ["magazin@example.test"]
agents = ["agent@example.test"]
language = "ru"

[[queue]]
name = "it"
addresses = ["negozio@example.test"]
agents = ["agent@example.test"]
language = "it"

[[queue]]
name = "en"
addresses = ["shop@example.test"]
agents = ["agent@example.test"]
"""

SLA = WARSAW_OFFICE + """
[[sla]]
name = "same-day"
calendar = "office"
applies_to = { queue = ["ru"] }
first_response = "same_business_day"
[[sla]]
name = "standard"
calendar = "office"
first_response = "4h"
"""

# Four business hours from Friday 14:00: 3 on Friday, 1 on Monday: Monday
# 23 November 2026, 10:00 CET.
EXPECT = {
    "pl": "Odpowiemy najpóźniej w terminie: poniedziałek, 23 listopada 2026, 10:00 CET.",
    "it": "Le risponderemo entro lunedì 23 novembre 2026, 10:00 CET.",
    # Same day: the close of Friday.
    "ru": "Мы ответим Вам сегодня до 17:00.",
    "en": "We will reply by Monday 23 November 2026, 10:00 CET.",
}


def mail(to, n, subject="Zamówienie"):
    return (f"From: Klient <klient{n}@example.org>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <lang-{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Gdzie jest moja paczka?\r\n").encode()


class CustomerLanguageMailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpServer()
        cls.sink.start()
        cls.fd = Frontdesk(queues=QUEUES,
                           extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{cls.sink.port}"\ntls = "none"\n'
                                        f'interval = "1s"\n' + SLA)
        cls.fd.env = {"FRONTDESK_FAKE_NOW": NOW}
        cls.fd.start()

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()
        cls.sink.close()

    def ack(self, to, n, language):
        self.fd.deliver(mail(to, n))
        (m,) = self.sink.wait_for(f"klient{n}@example.org", 1)
        self.assertEqual(m["Content-Language"], language)
        self.assertEqual(m.get_content_charset(), "utf-8")
        return m

    def test_each_customer_reads_their_language(self):
        for n, (to, language, words, subject) in enumerate([
                ("sklep@example.test", "pl", "dziękujemy za wiadomość", "Państwa wiadomość"),
                ("magazin@example.test", "ru", "Спасибо", "Ваше сообщение"),
                ("negozio@example.test", "it", "grazie per averci scritto", "Il Suo messaggio"),
                ("shop@example.test", "en", "thank you for your message", "Your message")]):
            with self.subTest(language):
                m = self.ack(to, n, language)
                body = m.get_content()
                self.assertIn(EXPECT[language], body)
                self.assertIn(words, body)
                # An unproven sender's own subject is not repeated to them;
                # the one in its place is in their language, encoded so that
                # every client shows it (RFC 2047; the sink decodes it).
                self.assertRegex(m["Subject"], r"^\[FD#\d+\] " + subject + "$")
                raw = self.sink.messages(to=f"klient{n}@example.org")[0]
                subject_line = re.search(rb"\nSubject: ([^\r\n]*)", raw).group(1)
                self.assertTrue(subject_line.isascii(), subject_line)

    def test_an_operators_own_template_wins_in_every_language(self):
        self.fd.stop()
        try:
            self.fd.extra_config += '\n[templates.auto_ack]\ntext = "Ticket {{ticket}} it is.\\n"\n'
            self.fd.write_config()
            self.fd.start()
            m = self.ack("sklep@example.test", 10, "pl")
            self.assertEqual(m.get_content().strip().splitlines()[0].split()[0], "Ticket")
            # The subject part was not written: it stays built in.
            self.assertIn("Państwa wiadomość", m["Subject"])
        finally:
            self.fd.stop()
            self.fd.extra_config = self.fd.extra_config.split("\n[templates.auto_ack]")[0]
            self.fd.write_config()
            self.fd.start()

    def test_check_config_refuses_an_unknown_language_with_its_place(self):
        bad = Frontdesk(queues=QUEUES.replace('language = "it"', 'language = "xx-YY"'))
        try:
            r = bad.cli("check-config")
            self.assertNotEqual(r.returncode, 0)
            out = r.stdout + r.stderr
            self.assertRegex(out, r"frontdesk\.toml:\d+:\d+: queue\[2\]\.language: unknown language \"xx-YY\"")
            self.assertIn("en, pl, ru, bg, it, de", out)
        finally:
            bad.close()


if __name__ == "__main__":
    unittest.main()
