"""The recommended deployment: Debian's nginx in front of the public listener.

A private nginx (nginx.py) runs in front of the public listener. The daemon
trusts it as a proxy (server.trusted_proxies), so the form's rate limit
counts each customer's address, not nginx's.
"""

import os
import time
import unittest

from harness import Frontdesk
from nginx import MISSING, NGINX, Nginx
from test_slow_clients import Swarm, form_post


@unittest.skipUnless(os.path.exists(NGINX), MISSING)
class NginxFrontTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Class cleanups run even when setUpClass fails half-way.
        cls.fd = Frontdesk(extra_config='[form]\nrate_limit = 3\nrate_limit_window = "1h"\n',
                           server_extra='trusted_proxies = ["127.0.0.1"]')
        cls.addClassCleanup(cls.fd.close)
        cls.fd.start()
        cls.nginx = Nginx([cls.fd.public_port])
        cls.addClassCleanup(cls.nginx.close)
        cls.nginx.start()
        cls.port = cls.nginx.port

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
