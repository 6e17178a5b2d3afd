"""Debian's headless Chromium, driven through python3-selenium and
chromedriver, for the console's browser tests. Each browser gets its own
profile in a scratch directory; the caller quits it (Browser.quit) and the
chromedriver process selenium started ends with it.

Only what a test needs to read a server-rendered page is here: the HTTP
status of the page shown, a form post that waits for the next page, the
console log, screenshots."""

import http.client
import os
import shutil
import tempfile
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = os.environ.get("FRONTDESK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FRONTDESK_CHROMEDRIVER", "/usr/bin/chromedriver")


class Browser:
    """One Chromium with its own profile. `base` is the console's origin."""

    def __init__(self, base, javascript=True, shots=None):
        self.base = base.rstrip("/")
        self.shots = shots
        self.profile = tempfile.mkdtemp(prefix="fd-chromium-")
        options = Options()
        options.binary_location = CHROMIUM
        # --no-sandbox: tests may run as root, where Chromium's sandbox refuses.
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                    f"--user-data-dir={self.profile}", "--no-first-run", "--disable-extensions"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        if not javascript:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2})
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except Exception:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(20)
        self.log = []  # every console entry read so far, kept for the CSP check

    def quit(self):
        try:
            self.drain_log()
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # -- pages ---------------------------------------------------------------
    def open(self, path):
        self.driver.get(self.base + path)
        return self

    def status(self):
        """The HTTP status of the document shown (after redirects: the last).
        WebDriver's own scripts run even where the page's JavaScript is off."""
        return self.driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0;")

    @property
    def path(self):
        return urllib.parse.urlparse(self.driver.current_url).path

    @property
    def query(self):
        return urllib.parse.parse_qs(urllib.parse.urlparse(self.driver.current_url).query)

    def html(self):
        return self.driver.page_source

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        return self.find(css).text.strip()

    def type(self, css, text):
        el = self.find(css)
        el.clear()
        el.send_keys(text)
        return el

    def select(self, css, value):
        Select(self.find(css)).select_by_value(value)

    def submit(self, css_or_element, timeout=15):
        """Clicks a submit button (or presses keys through `act`) and waits
        until the next page has replaced this one."""
        el = self.find(css_or_element) if isinstance(css_or_element, str) else css_or_element
        return self.after(el.click, timeout)

    def after(self, act, timeout=15):
        old = self.find("html")
        act()

        def replaced(_):
            # While the next page loads, Chromium may answer for the old
            # element with an inspector error rather than "stale": the
            # document it belonged to is gone either way.
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True

        WebDriverWait(self.driver, timeout).until(replaced)
        WebDriverWait(self.driver, timeout).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        return self

    def covering(self, css):
        """What a click at the middle of the element would hit instead of it
        (its start tag), or None when the element itself gets the click."""
        return self.driver.execute_script("""
            const el = document.querySelector(arguments[0]);
            el.scrollIntoView({block: 'center', inline: 'center'});
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return !hit || el.contains(hit) ? null : hit.outerHTML.slice(0, 120);""", css)

    def cookie(self, name):
        return self.driver.get_cookie(name)

    def shot(self, name):
        if self.shots:
            os.makedirs(self.shots, exist_ok=True)
            self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    # -- console log ---------------------------------------------------------
    def drain_log(self):
        """Reads the browser's console entries gathered since the last call
        (WebDriver hands each out once) and keeps them."""
        try:
            got = self.driver.get_log("browser")
        except Exception:
            got = []
        self.log.extend(got)
        return got

    def csp_violations(self):
        self.drain_log()
        return [e["message"] for e in self.log if "Content Security Policy" in e.get("message", "")]


def raw_post(port, path, fields, cookie=None, host="127.0.0.1"):
    """A form POST as a script would send it, with no browser around it:
    no redirect is followed. Returns (status, Location, body text)."""
    body = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.getheader("Location"), r.read().decode("utf-8", "replace")
    finally:
        conn.close()

