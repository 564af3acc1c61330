#!/usr/bin/env python3
"""End-to-end: the vipd binary in --dry-run against real HTTP servers on loopback.

Each test writes a configuration into a temporary folder, starts backends
(tests/tools/http_backend.py) on 127.0.0.x, runs vipd, kills and restarts backends, edits
the server list, and checks the IPVS lines vipd prints on stdout (ipvsadm -S -n syntax).

Usage: dry_run_test.py VIPD_BINARY
"""
import os
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vipd_process import VipdProcess  # noqa: E402 (beside this file)

VIPD = None
HERE = os.path.dirname(os.path.abspath(__file__))
BACKEND = os.path.join(HERE, "..", "tools", "http_backend.py")
VIP = "192.0.2.10"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend:
    def __init__(self, address, port):
        self.address, self.port, self.process = address, port, None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, BACKEND, self.address, str(self.port)],
            stdout=subprocess.PIPE, text=True)
        self.process.stdout.readline()  # "listening ...": the socket is bound

    def kill(self):
        self.process.kill()
        self.process.wait()


def Vipd(args, workdir):
    return VipdProcess(VIPD, args, workdir, append_log=False)


PYBAL_CONF = """\
[global]
bgp = no

[web]
protocol = tcp
ip = {vip}
port = {port}
scheduler = wrr
config = file://{servers}
depool-threshold = 0.5
monitors = [ "ProxyFetch", "IdleConnection" ]
proxyfetch.url = [ "http://web.example/" ]
proxyfetch.interval = 1
proxyfetch.timeout = 1
"""


def server_line(host, weight=10, enabled=True):
    return "{'host': '%s', 'weight': %d, 'enabled': %s}\n" % (host, weight, enabled)


class DryRun(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.port = free_port()
        self.hosts = ["127.0.0.21", "127.0.0.22", "127.0.0.23"]
        self.backends = {h: Backend(h, self.port) for h in self.hosts + ["127.0.0.24"]}
        for host in self.hosts:
            self.backends[host].start()
        self.servers = os.path.join(self.dir, "servers.txt")
        self.write_servers([(h, 10, True) for h in self.hosts])
        self.conf = os.path.join(self.dir, "pybal.conf")
        with open(self.conf, "w") as f:
            f.write(PYBAL_CONF.format(vip=VIP, port=self.port, servers=self.servers))
        self.vipd = None

    def tearDown(self):
        if self.vipd:
            self.vipd.stop()
        for backend in self.backends.values():
            if backend.process and backend.process.poll() is None:
                backend.kill()
        self.tmp.cleanup()

    def write_servers(self, servers):
        # Written whole and renamed, as a configuration management tool would.
        with open(self.servers + ".new", "w") as f:
            f.write("# web pool\n\n")
            for host, weight, enabled in servers:
                f.write(server_line(host, weight, enabled))
        os.rename(self.servers + ".new", self.servers)

    def service(self):
        return f"-t {VIP}:{self.port}"

    def add(self, host, weight=10):
        return f"-a {self.service()} -r {host}:{self.port} -g -w {weight}"

    def delete(self, host):
        return f"-d {self.service()} -r {host}:{self.port}"

    def start_vipd(self):
        self.vipd = Vipd(["--pybal-config", self.conf, "--dry-run", "--control-socket",
                          os.path.join(self.dir, "vipd.ctl")], self.dir)
        seen = self.vipd.expect([f"-A {self.service()} -s wrr"] + [self.add(h) for h in self.hosts])
        self.assertEqual(seen[0], f"-A {self.service()} -s wrr", "the service comes first")

    def test_programs_the_pool_then_depools_and_repools_a_dead_server(self):
        self.start_vipd()

        self.backends["127.0.0.22"].kill()
        self.vipd.expect([self.delete("127.0.0.22")])

        self.backends["127.0.0.22"].start()
        self.vipd.expect([self.add("127.0.0.22")])

    def test_threshold_keeps_servers_pooled_when_too_many_are_down(self):
        self.start_vipd()

        self.backends["127.0.0.22"].kill()
        self.vipd.expect([self.delete("127.0.0.22")])
        # 1 of 3 up would break the 0.5 threshold: 127.0.0.23 stays pooled, down.
        self.backends["127.0.0.23"].kill()
        self.assertEqual(self.vipd.quiet_for(4.0), [])
        self.assertIn("kept pooled by the depool threshold", self.vipd.log())

        # When 127.0.0.22 returns, 2 of 3 are up again and 127.0.0.23 can go.
        self.backends["127.0.0.22"].start()
        self.vipd.expect([self.add("127.0.0.22"), self.delete("127.0.0.23")])

    def test_server_list_edits_apply_live(self):
        self.start_vipd()
        self.backends["127.0.0.24"].start()

        servers = [("127.0.0.21", 20, True), ("127.0.0.22", 10, True),
                   ("127.0.0.23", 10, False), ("127.0.0.24", 10, True)]
        self.write_servers(servers)
        self.vipd.expect([
            f"-e {self.service()} -r 127.0.0.21:{self.port} -g -w 20",
            self.delete("127.0.0.23"),
            self.add("127.0.0.24"),
        ])

        # A broken list keeps the last good one: nothing changes.
        with open(self.servers, "w") as f:
            f.write("{'host': 'broken\n")
        self.assertEqual(self.vipd.quiet_for(3.0), [])
        self.assertIn("server list rejected", self.vipd.log())

    def test_restart_reproduces_the_table_from_empty(self):
        self.start_vipd()
        self.assertEqual(self.vipd.stop(), 0)
        self.start_vipd()


if __name__ == "__main__":
    VIPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
