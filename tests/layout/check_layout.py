#!/usr/bin/env python3
"""Checks the limits the layout keeps (docs/ARCHITECTURE.md, "The include rule").

- Every include points down the list of layers, or stays in its folder.
- No two files include each other.
- No source file is over 650 lines.
- The functions that orchestrate a whole flow stay under 80 lines.

Prints each breach as FILE:LINE: message and exits 1; exits 0 when clean.
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))

# Lowest first. A file may include its own folder and any folder before it.
LAYERS = [
    "daemon/base",
    "daemon/model",
    "config",
    "daemon/mail",
    "daemon/store",
    "daemon/sla",
    "daemon/outbox",
    "daemon/tickets",
    "daemon/reports",
    "daemon/intake",
    "daemon/web",
    "daemon/serve",
    "console",
    "admin",
    "daemon",  # main.cpp: the executable, on top of everything
]
MAX_LINES = 650
MAX_ORCHESTRATOR_LINES = 80
# (file, a regex that finds the function's first line)
ORCHESTRATORS = [
    ("daemon/intake/mail_intake.cpp", r"^Result<MailOutcome> AcceptMail\("),
    ("admin/routes.cpp", r"^void RegisterAdminRoutes\("),
    ("daemon/serve/daemon.cpp", r"^int Daemon::Run\("),
    ("daemon/intake/mail_poller.cpp", r"^Result<PollReport> PollOnce\("),
    ("daemon/web/public_routes.cpp", r"^void HandleSubmit\("),
    ("daemon/intake/submission.cpp", r"^Result<CreatedTicket> Intake::Submit\("),
]

INCLUDE = re.compile(r'^\s*#include "([^"]+)"')


def layer_of(path):
    folder = os.path.dirname(path)
    for i, layer in enumerate(LAYERS):
        if folder == layer or folder.startswith(layer + "/"):
            return i
    return None


def sources():
    for top in ("daemon", "console", "admin", "config"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for n in sorted(names):
                if n.endswith((".h", ".cpp")):
                    yield os.path.relpath(os.path.join(dirpath, n), ROOT)


def function_length(lines, start):
    depth = 0
    opened = False
    for i in range(start, len(lines)):
        for c in lines[i]:
            if c == "{":
                depth += 1
                opened = True
            elif c == "}":
                depth -= 1
        if opened and depth == 0:
            return i - start + 1
    return len(lines) - start


def main():
    errors = []
    includes = {}
    for path in sources():
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) > MAX_LINES:
            errors.append(f"{path}:1: {len(lines)} lines, over {MAX_LINES}: split it by subject")
        mine = layer_of(path)
        includes[path] = set()
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            includes[path].add(target)
            theirs = layer_of(target)
            if mine is None or theirs is None:
                errors.append(f"{path}:{n}: {target}: a folder outside the layers; add it to LAYERS and ARCHITECTURE.md")
            elif theirs > mine:
                errors.append(f"{path}:{n}: includes {target}, in {LAYERS[theirs]}, above {LAYERS[mine]}")
    for a, targets in includes.items():
        for b in targets:
            if a in includes.get(b, ()) and a < b:
                errors.append(f"{a}:1: includes {b}, which includes it back")
    for path, pattern in ORCHESTRATORS:
        full = os.path.join(ROOT, path)
        if not os.path.exists(full):
            errors.append(f"{path}:1: missing; update ORCHESTRATORS in {os.path.relpath(__file__, ROOT)}")
            continue
        with open(full, encoding="utf-8") as f:
            lines = f.read().split("\n")
        found = [i for i, l in enumerate(lines) if re.match(pattern, l)]
        if not found:
            errors.append(f"{path}:1: no function matches {pattern}; update ORCHESTRATORS")
            continue
        length = function_length(lines, found[0])
        if length > MAX_ORCHESTRATOR_LINES:
            errors.append(f"{path}:{found[0] + 1}: {length} lines, over {MAX_ORCHESTRATOR_LINES}: split it into named steps")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
