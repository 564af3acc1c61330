#!/usr/bin/env python3
"""The vipd daemon itself against BIRD 2 on loopback: health-gated announcements.

vipd runs in --dry-run (this host has no IPVS) with one service whose only server is an
HTTP backend on 127.0.0.31, and announces the VIP to BIRD. The test checks what BIRD holds:
the route with its attributes, its withdrawal when the server dies, its return after the
hold-down, the GRACEFUL_SHUTDOWN community on SIGUSR1, and the withdrawal and Cease on
SIGTERM, as BIRD logs it ("Received: Administrative shutdown" with the message). Once with
a native configuration, once with a pybal.conf (PyBal's attributes).

Usage: vipd_bird_test.py VIPD_BINARY      (exit 77 when BIRD is not installed)
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import ChildProcesses, wait_for  # noqa: E402 (beside this file)

VIPD = None
HERE = os.path.dirname(os.path.abspath(__file__))
BACKEND = os.path.join(HERE, "..", "tools", "http_backend.py")
VIP = "198.18.0.10"
DEADLINE = 30.0  # not a timing assertion: the time after which an expected state is missing

BIRD_CONF = """\
router id 10.255.0.1;
log "{dir}/bird.log" all;
protocol device {{}}
protocol bgp lvs {{
  local 127.0.0.1 port {bird_port} as 65000;
  strict bind on;
  neighbor 127.0.0.2 as 64512;
  multihop;
  passive on;
  hold time 9; keepalive time 3;
  ipv4 {{ import all; export none; }};
}}
"""

NATIVE = """\
{{"vipd:config": {{
  "global": {{"bgp": {{"enabled": true, "local-as": 64512, "router-id": "10.255.0.2",
     "listen": {{"port": 0}}, "hold-down": 2,
     "attributes": {{"med": 7, "community": ["65000:100"], "large-community": ["64512:1:2"],
                     "next-hop-ipv4": "127.0.0.2"}},
     "peer": [{{"name": "bird", "address": "127.0.0.1", "port": {bird_port},
               "peer-as": 65000, "local-address": "127.0.0.2", "ipv6-unicast": false,
               "hold-time": 9, "idle-hold-time": 1, "connect-retry-time": 1}}]}}}},
  "service": [{{"name": "web", "protocol": "tcp", "address": "{vip}", "port": {port},
    "scheduler": "wrr",
    "monitor": [{{"name": "idle", "kind": "idle-connection"}}],
    "server": [{{"host": "127.0.0.31"}}]}}]}}}}
"""

# PyBal connects to port 179 and names no peer AS.
PYBAL = """\
[global]
bgp = yes
bgp-local-asn = 64512
bgp-peer-address = 127.0.0.1
bgp-local-ips = [ '127.0.0.2' ]
bgp-nexthop-ipv4 = 127.0.0.2
bgp-med = 5
bgp-as-path = 64512 64999

[web]
protocol = tcp
ip = {vip}
port = {port}
scheduler = wrr
config = file://{dir}/servers.txt
monitors = [ "IdleConnection" ]
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VipdAgainstBird(ChildProcesses, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.port = free_port()
        self.processes = []

    def tearDown(self):
        self.kill_children()
        self.tmp.cleanup()

    def start_bird(self, bird_port):
        conf = os.path.join(self.dir, "bird.conf")
        with open(conf, "w") as f:
            f.write(BIRD_CONF.format(dir=self.dir, bird_port=bird_port))
        self.ctl = os.path.join(self.dir, "bird.ctl")
        self.start(["bird", "-f", "-c", conf, "-s", self.ctl])
        wait_for("bird's socket", lambda: os.path.exists(self.ctl))

    def birdc(self, *command):
        return subprocess.run(["birdc", "-s", self.ctl, *command], capture_output=True,
                              text=True, timeout=10).stdout

    def route(self):
        """BIRD's `show route all` for the VIP, or '' when it has no route."""
        out = self.birdc("show", "route", "all", f"{VIP}/32")
        return out if f"{VIP}/32" in out else ""

    def start_backend(self):
        backend = self.start([sys.executable, BACKEND, "127.0.0.31", str(self.port)],
                             stdout=subprocess.PIPE, text=True)
        backend.stdout.readline()
        return backend

    def start_vipd(self, args):
        self.log = open(os.path.join(self.dir, "vipd.log"), "w+")
        control = os.path.join(self.dir, "vipd.ctl")
        return self.start([VIPD, "--dry-run", "--control-socket", control, *args],
                          stdout=subprocess.DEVNULL, stderr=self.log)

    def vipd_log(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def run_scenario(self, vipd_args, attributes):
        backend = self.start_backend()
        vipd = self.start_vipd(vipd_args)

        route = wait_for("the VIP at BIRD", self.route)
        for attribute in attributes:
            self.assertIn(attribute, route, self.vipd_log())

        backend.kill()
        backend.wait()
        wait_for("the withdrawal", lambda: not self.route())

        self.start_backend()
        wait_for("the announcement after recovery", self.route)

        vipd.send_signal(signal.SIGUSR1)
        wait_for("GRACEFUL_SHUTDOWN", lambda: "(65535,0)" in self.route())
        vipd.send_signal(signal.SIGUSR2)
        wait_for("the undrain", lambda: self.route() and "(65535,0)" not in self.route())

        vipd.send_signal(signal.SIGTERM)
        self.assertEqual(vipd.wait(timeout=DEADLINE), 0)
        wait_for("the withdrawal at stop", lambda: not self.route())
        # What BIRD read off the wire: the Cease with vipd's shutdown communication, not a
        # lost connection (vipd used to stop before its NOTIFICATION was out).
        wait_for("BIRD to log the Cease", lambda: self.bird_received(
            "Administrative shutdown", '"vipd stopping"'))
        self.assertNotIn("lvs: Connection closed", self.bird_log())

    def bird_log(self):
        try:
            with open(os.path.join(self.dir, "bird.log")) as f:
                return f.read()
        except OSError:
            return ""

    def bird_received(self, what, message):
        return any(f"lvs: Received: {what}" in line and message in line
                   for line in self.bird_log().splitlines())

    def test_native_configuration(self):
        bird_port = free_port()
        self.start_bird(bird_port)
        conf = os.path.join(self.dir, "vipd.json")
        with open(conf, "w") as f:
            f.write(NATIVE.format(bird_port=bird_port, vip=VIP, port=self.port))
        self.run_scenario(["--config", conf], [
            "BGP.as_path: 64512", "BGP.next_hop: 127.0.0.2", "BGP.med: 7",
            "BGP.community: (65000,100)", "BGP.large_community: (64512, 1, 2)"])

    def test_pybal_configuration_announces_with_pybals_attributes(self):
        if socket.socket().connect_ex(("127.0.0.1", 179)) == 0:
            self.skipTest("port 179 on 127.0.0.1 is taken")
        self.start_bird(179)
        with open(os.path.join(self.dir, "servers.txt"), "w") as f:
            f.write("{'host': '127.0.0.31', 'weight': 10, 'enabled': True}\n")
        conf = os.path.join(self.dir, "pybal.conf")
        with open(conf, "w") as f:
            f.write(PYBAL.format(vip=VIP, port=self.port, dir=self.dir))
        self.run_scenario(["--pybal-config", conf], [
            "BGP.as_path: 64512 64999", "BGP.next_hop: 127.0.0.2", "BGP.med: 5",
            "BGP.origin: IGP"])


if __name__ == "__main__":
    if not shutil.which("bird") or not shutil.which("birdc"):
        print("SKIPPED: BIRD (Debian package bird2) is not installed", file=sys.stderr)
        sys.exit(77)
    VIPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
