"""A private nginx for the tests that put one in front of Frontdesk, as a
deployment does: Debian's nginx, run as the test's user (its workers as
nobody when the test runs as root), on a free loopback port, with every path
inside a scratch directory, stopped by its PID.

The proxy settings are those of docs/OPERATIONS.md ("The public form behind
nginx"), without TLS; `upstreams` lists the public ports behind it."""

import grp
import http.client
import os
import pwd
import shutil
import subprocess
import tempfile
import time

from harness import end_process, free_port, read_text

NGINX = "/usr/sbin/nginx"
MISSING = f"{NGINX} is missing: apt-get install nginx-light (packaging/install-deps.sh --test)"

CONF = """
{user}
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream frontdesk {{
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;       # at least [server] max_body_bytes
        client_header_timeout 10s;
        client_body_timeout 10s;

        location / {{
            proxy_pass http://frontdesk;
            # A box that refuses the connection or answers 503 (no database)
            # is skipped; a POST it already received is not sent again.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def worker_user():
    """nginx's workers leave root for an unprivileged user; name one that
    exists here, with its own group."""
    if os.geteuid() != 0:
        return ""
    nobody = pwd.getpwnam("nobody")
    return f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"


class Nginx:
    def __init__(self, upstreams):
        self.dir = tempfile.mkdtemp(prefix="fd-nginx-")
        os.chmod(self.dir, 0o755)  # the workers, when they run as nobody, reach their temp paths
        self.port = free_port()
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.log = os.path.join(self.dir, "error.log")
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstreams)
        with open(self.conf, "w") as f:
            f.write(CONF.format(user=worker_user(), dir=self.dir, port=self.port, servers=servers))
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [NGINX, "-p", self.dir, "-c", self.conf, "-e", self.log,
             "-g", f"daemon off; pid {self.dir}/nginx.pid; error_log {self.log};"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("nginx did not start:\n" + self.log_text())
            time.sleep(0.1)
        return self

    def answers(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def log_text(self):
        return read_text(self.log)

    def close(self):
        end_process(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)
