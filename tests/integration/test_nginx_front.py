"""The recommended deployment: Debian's nginx in front of the public listener.

A private nginx runs as the test's user, on a free loopback port, with every
path inside a scratch directory, and is stopped by its PID. Its proxy
settings are those of docs/OPERATIONS.md ("The public form behind nginx"),
without TLS. The daemon trusts it as a proxy (server.trusted_proxies), so
the form's rate limit counts each customer's address, not nginx's.
"""

import grp
import http.client
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import Frontdesk, free_port
from test_slow_clients import Swarm, form_post

NGINX = "/usr/sbin/nginx"

NGINX_CONF = """
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

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;       # at least [server] max_body_bytes
        client_header_timeout 10s;
        client_body_timeout 10s;

        location / {{
            proxy_pass http://127.0.0.1:{upstream};
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


@unittest.skipUnless(os.path.exists(NGINX), f"{NGINX} is missing: apt-get install nginx-light "
                     "(packaging/install-deps.sh --test)")
class NginxFrontTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Class cleanups run even when setUpClass fails half-way.
        cls.fd = Frontdesk(extra_config='[form]\nrate_limit = 3\nrate_limit_window = "1h"\n',
                           server_extra='trusted_proxies = ["127.0.0.1"]')
        cls.addClassCleanup(cls.fd.close)
        cls.fd.start()
        cls.dir = tempfile.mkdtemp(prefix="fd-nginx-")
        cls.addClassCleanup(shutil.rmtree, cls.dir, ignore_errors=True)
        os.chmod(cls.dir, 0o755)  # the workers, when they run as nobody, reach their temp paths
        cls.port = free_port()
        conf = os.path.join(cls.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(user=worker_user(), dir=cls.dir, port=cls.port,
                                      upstream=cls.fd.public_port))
        log = os.path.join(cls.dir, "error.log")
        cls.nginx = subprocess.Popen(
            [NGINX, "-p", cls.dir, "-c", conf, "-e", log,
             "-g", f"daemon off; pid {cls.dir}/nginx.pid; error_log {log};"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stop_nginx)
        deadline = time.monotonic() + 10
        while not cls.nginx_answers():
            if cls.nginx.poll() is not None or time.monotonic() > deadline:
                with open(log) as f:
                    raise AssertionError("nginx did not start:\n" + f.read())
            time.sleep(0.1)

    @classmethod
    def nginx_answers(cls):
        conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    @classmethod
    def stop_nginx(cls):
        """Ends the nginx this test started, by its PID."""
        if cls.nginx.poll() is None:
            cls.nginx.send_signal(signal.SIGTERM)
            try:
                cls.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.nginx.kill()
                cls.nginx.wait()

    def test_a_form_post_through_nginx_makes_a_ticket(self):
        before = self.fd.query("SELECT count(*) FROM tickets")[0][0]
        status, _ = form_post(self.port, "127.0.0.4")
        self.assertEqual(status, 200)
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], before + 1)

    def test_slow_clients_against_nginx_do_not_block_a_form_post(self):
        swarm = Swarm(self.port, drip=70, idle=65, silent=65, source="127.0.0.5").start()
        self.addCleanup(swarm.close)
        time.sleep(1.5)
        for source in ("127.0.0.6", "127.0.0.7", "127.0.0.8"):
            self.assertGreaterEqual(swarm.open_count(), 190)
            status, took = form_post(self.port, source)
            self.assertEqual(status, 200)
            self.assertLess(took, 1.0)

    def test_the_rate_limit_counts_each_customer_not_nginx(self):
        for _ in range(3):
            self.assertEqual(form_post(self.port, "127.0.0.2")[0], 200)
        self.assertEqual(form_post(self.port, "127.0.0.2")[0], 429)
        # Another customer behind the same nginx is not held back: the
        # daemon counted 127.0.0.2, not the proxy's 127.0.0.1.
        self.assertEqual(form_post(self.port, "127.0.0.3")[0], 200)


if __name__ == "__main__":
    unittest.main()
