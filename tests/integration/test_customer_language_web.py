"""The public listener in the customer's language, against the real daemon:
the form, its errors (as a page and as JSON) and the thank-you page speak
the language of the form's queue; with [locale] form_languages a browser's
Accept-Language may choose among them; the survey page speaks the language
of its ticket's queue, dates included; the operator's own [form] words win
in every language; hostile Accept-Language headers still get a page."""

import re
import time
import unittest

from harness import Frontdesk, urlencoded
from smtp_sink import SmtpServer


def queues(language, timezone=""):
    zone = f'timezone = "{timezone}"\n' if timezone else ""
    return f"""
[[queue]]
name = "support"
display_name = "Test Support"
addresses = ["support@example.test"]
agents = ["agent@example.test"]
default = true
language = "{language}"
{zone}"""


FORM = """
[form]
rate_limit = 1000
{form}
"""

LANG_ATTR = re.compile(r'<html lang="([^"]*)">')


def lang_of(response):
    m = LANG_ATTR.search(response.body.decode())
    return m.group(1) if m else None


class CustomerLanguageFormTest(unittest.TestCase):
    def frontdesk(self, language="pl", extra="", form=""):
        fd = Frontdesk(queues=queues(language), extra_config=FORM.format(form=form) + extra)
        self.addCleanup(fd.close)
        fd.start()
        return fd

    def submit(self, fd, fields, headers=None):
        body, ctype = urlencoded(fields)
        h = {"Content-Type": ctype}
        h.update(headers or {})
        return fd.post("/tickets", body=body, headers=h)

    def test_a_polish_queue_serves_the_form_its_errors_and_thanks_in_polish(self):
        fd = self.frontdesk("pl")
        r = fd.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
        self.assertEqual(r.status, 200)
        html = r.body.decode()
        self.assertEqual(lang_of(r), "pl")
        self.assertIn("<h1>Kontakt z obsługą klienta</h1>", html)
        self.assertIn('<label for="f-email">Adres e-mail</label>', html)
        self.assertIn("Wyślij zgłoszenie</button>", html)
        self.assertNotIn("Contact support", html)
        # Without form_languages the browser's wishes change nothing.
        self.assertIsNone(r.header("Vary"))

        # A missing field, as a page: the heading, the field's name and the
        # error in Polish, beside the field and in the summary.
        r = self.submit(fd, {"email": "", "subject": "Drukarka", "message": "Nie drukuje."})
        self.assertEqual(r.status, 400, r.body)
        html = r.body.decode()
        self.assertEqual(lang_of(r), "pl")
        self.assertIn("Prosimy poprawić następujące błędy:", html)
        self.assertIn('<a href="#f-email">e-mail</a>: prosimy podać adres e-mail', html)
        self.assertIn('id="f-email-error">prosimy podać adres e-mail</p>', html)
        self.assertNotIn("enter your email address", html)

        # As JSON: the codes and field names stay, the messages are Polish.
        r = fd.post("/tickets", body={"email": "a@example.org", "subject": "", "message": "Hej"})
        self.assertEqual(r.status, 400, r.body)
        err = r.json()["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid", "subject"))
        self.assertEqual(err["message"], "subject: prosimy podać temat")
        self.assertEqual(err["details"], [{"field": "subject", "message": "prosimy podać temat"}])

        # The admin API keeps its English words.
        r = fd.post("/api/v1/tickets", body={"requester": {"email": "a@example.org"}, "subject": "", "message": "Hej"},
                    scope="write")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["error"]["message"], "subject: enter a subject")

        r = self.submit(fd, {"email": "jan@example.org", "subject": "Drukarka", "message": "Nie drukuje.",
                             "form_token": "t1"})
        self.assertEqual(r.status, 200, r.body)
        html = r.body.decode()
        self.assertEqual(lang_of(r), "pl")
        self.assertIn("<h1>Dziękujemy</h1>", html)
        number = fd.query("SELECT max(id) FROM tickets")[0][0]
        self.assertIn(f"Numer Państwa zgłoszenia to <strong>{number}</strong>.", html)
        self.assertIn("Otrzymaliśmy Państwa zgłoszenie i odpowiemy e-mailem.", html)
        self.assertIn('<a href="/">Wyślij kolejne zgłoszenie</a>', html)

    def test_form_languages_follow_the_browser_and_fall_back_to_the_queues(self):
        fd = self.frontdesk("pl", '[locale]\nform_languages = ["it", "pl"]\n')
        r = fd.get("/", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
        self.assertEqual(r.status, 200)
        self.assertEqual(lang_of(r), "it")
        self.assertIn("<h1>Assistenza clienti</h1>", r.body.decode())
        self.assertEqual(r.header("Vary"), "Accept-Language")

        for header in ("ru", "ru-RU,ru;q=0.9", "en", None):
            r = fd.get("/", headers={"Accept-Language": header} if header else {})
            self.assertEqual(r.status, 200, header)
            self.assertEqual(lang_of(r), "pl", header)
            self.assertIn("<h1>Kontakt z obsługą klienta</h1>", r.body.decode(), header)
            self.assertEqual(r.header("Vary"), "Accept-Language", header)

        # The errors and the thanks follow the same choice.
        it = {"Accept-Language": "it"}
        r = self.submit(fd, {"email": "", "subject": "Stampante", "message": "Non stampa."}, it)
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(lang_of(r), "it")
        self.assertIn("inserisca il suo indirizzo email", r.body.decode())
        r = self.submit(fd, {"email": "lea@example.org", "subject": "Stampante", "message": "Non stampa."}, it)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(lang_of(r), "it")
        self.assertIn("<h1>Grazie</h1>", r.body.decode())

    def test_the_operators_own_form_words_win_in_every_language(self):
        fd = self.frontdesk("pl", '[locale]\nform_languages = ["it", "de", "pl"]\n',
                            form='title = "ACME & Co: Hilfe <24/7>"\nthanks_title = "Merci!"')
        for header in ("it", "de", "pl", "ru", "en"):
            r = fd.get("/", headers={"Accept-Language": header})
            self.assertEqual(r.status, 200)
            html = r.body.decode()
            self.assertIn("<h1>ACME &amp; Co: Hilfe &lt;24/7&gt;</h1>", html, header)
            self.assertIn("<title>ACME &amp; Co: Hilfe &lt;24/7&gt;</title>", html, header)
        # What the operator left alone is still in the customer's language.
        self.assertIn("Wyślij zgłoszenie", fd.get("/", headers={"Accept-Language": "pl"}).body.decode())
        r = self.submit(fd, {"email": "m@example.org", "subject": "Drucker", "message": "Geht nicht."},
                        {"Accept-Language": "de"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(lang_of(r), "de")
        self.assertIn("<h1>Merci!</h1>", r.body.decode())

    def test_hostile_accept_language_headers_still_get_a_page(self):
        fd = self.frontdesk("pl", '[locale]\nform_languages = ["it", "pl"]\n')
        hostile = [
            "it;q=0.9," * 700,                        # over 4 KiB
            "x" * 6000,
            ",".join(["zz-" + "a" * 8] * 200 + ["it"]),  # the match lies past the ranges read
            ";;;,,,*-*;q=2,it;q=abc,-,q=1,ä,\t, ;q=0.5",
            "it-" + "-".join(["abcdefghi"] * 50),
            "*;q=0, it;q=0, pl;q=0",
            "\u00ff\u00fe",
        ]
        for header in hostile:
            r = fd.get("/", headers={"Accept-Language": header})
            self.assertEqual(r.status, 200, header[:40])
            self.assertIn(lang_of(r), ("it", "pl"), header[:40])
        # The form still answers a post with such a header.
        r = self.submit(fd, {"email": "", "subject": "x", "message": "y"}, {"Accept-Language": "x" * 6000})
        self.assertEqual(r.status, 400)
        self.assertEqual(lang_of(r), "pl")


CSAT = """
[smtp]
url = "smtp://127.0.0.1:{port}"
tls = "none"
interval = "1s"
[mail]
auto_ack = false
solved_notice = false
[csat]
enabled = true
delay = "1h"
expires_after = "7d"
change_window = "2d"
max_comment_chars = 50
"""


class CustomerLanguageSurveyTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()

    def at(self, fd, now):
        fd.stop()
        fd.env = {"FRONTDESK_FAKE_NOW": now}
        fd.start()

    def test_a_russian_queues_survey_page_is_in_russian_with_a_russian_date(self):
        fd = Frontdesk(queues=queues("ru", "Europe/Moscow"), extra_config=CSAT.format(port=self.sink.port))
        self.addCleanup(fd.close)
        fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-20T10:00:00Z"}
        fd.start()
        fd.deliver(b"From: Ivan <ivan@example.org>\r\nTo: support@example.test\r\nSubject: Printer\r\n"
                   b"Message-ID: <ru-1@example.org>\r\n\r\nPlease help.\r\n")
        t = fd.query("SELECT max(id) FROM tickets")[0][0]
        r = fd.request("PATCH", f"/api/v1/tickets/{t}", body={"status": "solved"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.at(fd, "2026-11-20T11:30:00Z")
        (mail,) = self.sink.wait_for("ivan@example.org", 1)
        text = mail.get_body(("plain",)).get_content()
        path = re.search(r"http://127\.0\.0\.1:\d+(/csat/\S+)", text).group(1)

        r = fd.get(path, headers={"Accept-Language": "en"})
        self.assertEqual(r.status, 200, r.body)
        html = r.body.decode()
        self.assertEqual(lang_of(r), "ru")
        self.assertIn("<h1>Как мы справились?</h1>", html)
        self.assertIn(f"Опрос касается обращения № {t}, <q>Printer</q>, которым занимается Test Support.", html)
        self.assertIn("<legend>Как Вы оцениваете полученную помощь?</legend>", html)
        self.assertIn("Отправить</button>", html)
        self.assertNotIn("How did we do", html)

        # A wrong answer is explained in Russian.
        body, ctype = urlencoded([("score", "9"), ("comment", "")])
        r = fd.post(path, body=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 400, r.body)
        self.assertIn("<strong>оценка:</strong> выберите, пожалуйста, оценку от 1 до 5", r.body.decode())

        body, ctype = urlencoded([("score", "4"), ("comment", "Спасибо")])
        r = fd.post(path, body=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 200, r.body)
        html = r.body.decode()
        self.assertEqual(lang_of(r), "ru")
        self.assertIn("<h1>Спасибо</h1>", html)
        self.assertIn("Ваша оценка: 4 по шкале от 1 до 5.", html)
        # Changeable for two days: until Sunday 22 November, 14:30 in Moscow.
        self.assertIn("воскресенье, 22 ноября 2026", html)
        self.assertIn("14:30 MSK", html)
        self.assertNotIn("Sunday", html)

        # Past the window, the refusal is in Russian too.
        self.at(fd, "2026-11-23T12:00:00Z")
        r = fd.get(path)
        self.assertEqual(r.status, 410)
        self.assertEqual(lang_of(r), "ru")
        self.assertIn("Ответ уже получен", r.body.decode())


if __name__ == "__main__":
    unittest.main()
