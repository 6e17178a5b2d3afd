#!/usr/bin/env python3
"""How many mails of a directory Frontdesk reads fully correctly.

    bench/mail_accuracy.py DIR [--frontdesk BIN] [--python] [--verbose]

DIR holds pairs NAME.box (or NAME.eml) and NAME.yml, the YAML giving what a
careful reader gets from the mail: from_email, from_display_name, subject,
body (text, or HTML with content_type text/html) and attachments (each with
filename and data). Nothing of such a set ships with Frontdesk; point the
script at one you have. Without DIR it says so and exits 0.

A mail is "fully correct" when all four agree:
- sender: the address (case-insensitive), and the display name with white
  space normalised (when the expectation has one);
- subject: equal with white space normalised;
- body: the text's words against the expected text's words (HTML made text
  first, the same way for both sides, and link targets written out in
  brackets left aside): at least 90% alike in order, no
  U+FFFD that the expectation lacks, and the same non-ASCII letters, so that
  one wrong charset fails the mail even when most of it is ASCII. Where the
  expectation is the HTML alternative and the mail has a plain one, a
  reader's text may match the plain one instead (as Python reads it);
- attachments: every expected attachment is there, by name and size (text
  parts may differ by their line ends). A name one side made up ("file",
  "attachment", "image.jpg", the HTML alternative kept as "message.html"), a
  forwarded message, or a second file of the same name is matched by size
  or type only.

--python measures Python's email package (email.policy.default) on the same
set with the same rules, reading the plain text part first, as Frontdesk
does, then the HTML one.
"""

import argparse
import base64
import difflib
import email
import email.policy
import glob
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import unicodedata


# --- expectations ---------------------------------------------------------

def load_expectations(path):
    import yaml  # PyYAML; imported here so that a run without DIR needs none

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!ruby/", tagged)
    Loader.add_constructor("!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))
    with open(path, "rb") as f:
        return yaml.load(f, Loader=Loader)


def attachment_bytes(a):
    data = a.get("data")
    if data is None:
        return b""
    if isinstance(data, bytes):  # !binary
        return data
    return str(data).encode("utf-8")


# --- text -----------------------------------------------------------------

class _TextOf(html.parser.HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        if tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title") and self.skip:
            self.skip -= 1
        if tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(s):
    p = _TextOf()
    p.feed(s)
    p.close()
    return "".join(p.out)


def norm(s):
    return " ".join((s or "").split())


WORD = re.compile(r"\w+", re.UNICODE)
# A link's target written out beside its text, as "(https://...)" or
# "<https://...>": a choice of rendering, not of reading.
LINK = re.compile(r"[(<\[](?:https?|mailto|ftp):[^)>\]\s]*[)>\]]")


def words(s):
    return WORD.findall(unicodedata.normalize("NFC", LINK.sub(" ", s or "")).lower())


def non_ascii_letters(s):
    return {c for c in unicodedata.normalize("NFC", s or "") if ord(c) > 127 and c.isalpha()}


def body_agrees(got, expected):
    g, e = words(got), words(expected)
    if not e:
        return len(g) <= 3, "expected an empty body"
    ratio = difflib.SequenceMatcher(None, g, e, autojunk=False).ratio()
    if ratio < 0.9:
        return False, "body words %.0f%% alike" % (ratio * 100)
    if "\ufffd" in got and "\ufffd" not in expected:
        return False, "body has U+FFFD"
    missing = non_ascii_letters(expected) - non_ascii_letters(got)
    extra = non_ascii_letters(got) - non_ascii_letters(expected)
    if missing or extra:
        return False, "body letters differ: missing %s, extra %s" % ("".join(sorted(missing))[:20],
                                                                     "".join(sorted(extra))[:20])
    return True, ""


# --- the comparison --------------------------------------------------------

# Names a reader makes up for a part that has none, on either side.
GENERATED = re.compile(r"^(file|attachment|message\.html|delivery report\.txt|delivery-status\.txt|"
                       r"rfc822-headers\.txt|forwarded-message\.eml|(image|text|application|video|audio)\.\w+)$")
TEXT_LIKE = ("text/", "message/delivery-status", "application/pgp", "message/rfc822")


def same_name(a, b):
    return unicodedata.normalize("NFC", norm(a)).casefold() == unicodedata.normalize("NFC", norm(b)).casefold()


def size_fits(got, want, ctype):
    """Text-like parts may differ by their line ends (CR LF against LF)."""
    if got == want:
        return True
    return ctype.startswith(TEXT_LIKE) and abs(got - want) <= want // 30 + 1


def attachments_agree(got, expected):
    """got: list of (filename, content_type, size). Every expected attachment
    needs one of got, by name and size; an attachment one side named itself
    (or a second one of the same name, which a reader may rename) is matched
    by size alone."""
    pool = list(got)
    wanted = []
    for a in expected:
        name = a.get("filename") or ""
        prefs = a.get("preferences") or {}
        ctype = str(prefs.get("Mime-Type") or prefs.get("Content-Type") or "").lower()
        if name == "message.html" and ctype.startswith("text/html"):
            continue  # the HTML alternative of the body, kept by the other reader as a file
        if name.lower().endswith(".eml"):
            ctype = "message/rfc822"
        wanted.append((name, ctype, len(attachment_bytes(a))))
    unmatched = []
    for name, ctype, size in wanted:
        hit = next((x for x in pool if same_name(x[0], name) and size_fits(x[2], size, ctype)), None)
        if hit is None and ctype.startswith("message/rfc822"):
            hit = next((x for x in pool if x[1].startswith("message/rfc822")), None)
        if hit is None:
            unmatched.append((name, ctype, size))
        else:
            pool.remove(hit)
    for name, ctype, size in unmatched:
        generated = GENERATED.match(name.lower()) is not None
        hit = next((x for x in pool if size_fits(x[2], size, ctype) and
                    (generated or GENERATED.match(x[0].lower()) or any(same_name(x[0], w[0]) for w in wanted))),
                   None)
        if hit is None:
            near = [x for x in got if same_name(x[0], name)]
            if near:
                return False, "attachment %r is %d bytes, expected %d" % (name, near[0][2], size)
            return False, "attachment %r (%d bytes) missing" % (name, size)
        pool.remove(hit)
    return True, ""


def plain_alternative(path):
    """The text/plain part beside an HTML one, as Python's email package
    reads it, or None."""
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() == "multipart/alternative":
            for sub in part.iter_parts():
                if sub.get_content_type() == "text/plain":
                    try:
                        text = sub.get_content()
                    except Exception:
                        return None
                    return None if "\ufffd" in text else text
    return None


def judge(got, exp, path):
    """got: dict with from_address, from_name, subject, body_text, attachments."""
    why = []
    want_from = (exp.get("from_email") or "").strip().lower()
    if want_from and got["from_address"].lower() != want_from:
        why.append("from %r, expected %r" % (got["from_address"], want_from))
    want_name = norm(exp.get("from_display_name") or "").strip("'\"")
    if want_name and norm(got["from_name"]).strip("'\"") != want_name:
        why.append("from name %r, expected %r" % (got["from_name"], want_name))
    if norm(got["subject"]) != norm(exp.get("subject") or ""):
        why.append("subject %r, expected %r" % (got["subject"], exp.get("subject")))
    body = exp.get("body") or ""
    if body.strip() == "no visible content":  # the other reader's word for an empty body
        body = ""
    html_body = "html" in str(exp.get("content_type") or "")
    if html_body:
        body = html_to_text(body)
    ok, reason = body_agrees(got["body_text"], body)
    if not ok and html_body:
        # The expectation is the HTML alternative; a reader that prefers
        # the plain one (as Frontdesk does) is held to that one instead.
        plain = plain_alternative(path)
        if plain is not None:
            ok, _ = body_agrees(got["body_text"], plain)
    if not ok:
        why.append(reason)
    ok, reason = attachments_agree(got["attachments"], exp.get("attachments") or [])
    if not ok:
        why.append(reason)
    return why


def read_frontdesk(binary, path):
    r = subprocess.run([binary, "parse-mail", path, "--json"], capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode("utf-8", "replace").strip())
    j = json.loads(r.stdout.decode("utf-8"))
    return {
        "from_address": j["from_address"],
        "from_name": j["from_name"],
        "subject": j["subject"],
        "body_text": j["body_text"],
        "attachments": [(a["filename"], a["content_type"], a["size"]) for a in j["attachments"]],
    }


def read_python(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    got = {"from_address": "", "from_name": "", "subject": "", "body_text": "", "attachments": []}
    try:
        addrs = msg["from"].addresses if msg["from"] is not None else ()
        if addrs:
            got["from_address"] = addrs[0].addr_spec
            got["from_name"] = addrs[0].display_name
    except Exception:
        pass
    try:
        got["subject"] = str(msg["subject"] or "")
    except Exception:
        pass
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is not None:
            text = part.get_content()
            got["body_text"] = html_to_text(text) if part.get_content_subtype() == "html" else text
    except Exception:
        pass
    try:
        for a in msg.iter_attachments():
            try:
                data = a.get_content()
            except Exception:
                data = a.get_payload(decode=True) or b""
            if isinstance(data, str):
                data = data.encode("utf-8")
            elif isinstance(data, email.message.Message):
                data = data.as_bytes()
            got["attachments"].append((a.get_filename() or "", a.get_content_type(), len(data)))
    except Exception:
        pass
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--frontdesk", default=os.environ.get("FRONTDESK_BIN", "frontdesk"))
    ap.add_argument("--python", action="store_true", help="also measure Python's email package")
    ap.add_argument("--verbose", action="store_true", help="say why each mail failed")
    args = ap.parse_args()
    if not args.dir:
        print("mail_accuracy: skipped: no directory of mails and expectations given")
        return 0
    try:
        import yaml  # noqa: F401
    except ImportError:
        print("mail_accuracy: skipped: PyYAML is not installed (apt-get install python3-yaml)")
        return 0
    pairs = []
    for y in sorted(glob.glob(os.path.join(args.dir, "*.yml"))):
        for ext in (".box", ".eml"):
            if os.path.exists(y[:-4] + ext):
                pairs.append((y[:-4] + ext, y))
                break
    if not pairs:
        print("mail_accuracy: skipped: %s has no NAME.box/NAME.eml with NAME.yml" % args.dir)
        return 0
    readers = [("frontdesk", lambda p: read_frontdesk(args.frontdesk, p))]
    if args.python:
        readers.append(("python-email", read_python))
    for label, read in readers:
        good = 0
        for mail, yml in pairs:
            exp = load_expectations(yml)
            try:
                why = judge(read(mail), exp, mail)
            except Exception as e:  # a reader that fails reads nothing right
                why = ["failed: %s" % e]
            if not why:
                good += 1
            elif args.verbose:
                print("%s %s: %s" % (label, os.path.basename(mail), "; ".join(why)))
        print("%s: %d of %d fully correct" % (label, good, len(pairs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
