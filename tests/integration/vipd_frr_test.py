#!/usr/bin/env python3
"""The vipd daemon itself against FRR's bgpd, in two network namespaces: health-gated
announcements over IPv4 and IPv6 sessions.

FRR refuses loopback next hops, so the two run on either side of a veth pair
(tests/integration/peers/netns.sh): bgpd (AS 65000) in namespace TAGr at 169.254.0.1 and
fd00:0:0:1::1, passive; vipd (AS 64512, --dry-run: no IPVS here) in TAGs at .2 and ::2,
connecting, with two services: 198.18.0.10:PORT and [2001:db8::10]:PORT, whose servers are HTTP
backends (tests/tools/http_backend.py) on 127.0.0.31 and ::1 of vipd's namespace. The test
checks what bgpd holds: each VIP with exactly the configured attributes (AS path, next hop,
MED, communities, large communities), its withdrawal when its server dies, its return after
the hold-down, the GRACEFUL_SHUTDOWN community on SIGUSR1 and then the withdrawal at the end
of the drain, and the sessions closed on SIGTERM with a Cease / Administrative Shutdown that
carries vipd's shutdown message.

Usage: vipd_frr_test.py VIPD_BINARY      (exit 77 when FRR is not installed or this is not
root, which network namespaces need)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import ChildProcesses, wait_for  # noqa: E402 (beside this file)

VIPD = None
HERE = os.path.dirname(os.path.abspath(__file__))
BACKEND = os.path.join(HERE, "..", "tools", "http_backend.py")
NETNS = os.path.join(HERE, "peers", "netns.sh")
BGPD = "/usr/lib/frr/bgpd"
VIP4, VIP6 = "198.18.0.10", "2001:db8::10"
PREFIX4, PREFIX6 = VIP4 + "/32", VIP6 + "/128"
SPEAKER4, SPEAKER6 = "169.254.0.2", "fd00:0:0:1::2"
PORT = 8080  # the services' port, in vipd's own namespace
DEADLINE = 30.0  # not a timing assertion: the time after which an expected state is missing

BGPD_CONF = """\
frr defaults traditional
hostname frr-router
log file {dir}/bgpd.log informational
!
router bgp 65000
 bgp router-id 10.255.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 bgp log-neighbor-changes
 neighbor 169.254.0.2 remote-as 64512
 neighbor 169.254.0.2 timers 3 9
 neighbor 169.254.0.2 passive
 neighbor fd00:0:0:1::2 remote-as 64512
 neighbor fd00:0:0:1::2 timers 3 9
 neighbor fd00:0:0:1::2 passive
 !
 address-family ipv4 unicast
  neighbor 169.254.0.2 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00:0:0:1::2 activate
 exit-address-family
exit
!
"""


def service(name, address, server):
    return {"name": name, "protocol": "tcp", "address": address, "port": PORT,
            "scheduler": "wrr", "monitor": [{"name": "idle", "kind": "idle-connection"}],
            "server": [{"host": server}]}


def peer(name, address, local, ipv4, ipv6):
    return {"name": name, "address": address, "peer-as": 65000, "local-address": local,
            "ipv4-unicast": ipv4, "ipv6-unicast": ipv6, "hold-time": 9,
            "idle-hold-time": 1, "connect-retry-time": 1}


NATIVE = {"vipd:config": {
    "global": {"bgp": {
        "enabled": True, "local-as": 64512, "router-id": SPEAKER4, "listen": {"port": 0},
        "hold-down": 2, "drain-time": 3,
        "attributes": {"med": 7, "as-path": "64999", "community": ["65000:100"],
                       "large-community": ["64512:1:2"]},
        "peer": [peer("frr4", "169.254.0.1", SPEAKER4, True, False),
                 peer("frr6", "fd00:0:0:1::1", SPEAKER6, False, True)]}},
    "service": [service("web4", VIP4, "127.0.0.31"), service("web6", VIP6, "::1")],
}}


class VipdAgainstFrr(ChildProcesses, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.tag = f"vft{os.getpid() % 100000}"
        self.router, self.speaker = self.tag + "r", self.tag + "s"
        self.processes = []
        subprocess.run(["bash", NETNS, "up", self.tag], check=True)
        self.addCleanup(subprocess.run, ["bash", NETNS, "down", self.tag])
        self.start_bgpd()

    def tearDown(self):
        self.kill_children()
        if hasattr(self, "log"):
            self.log.close()
        self.stop_bgpd()
        self.tmp.cleanup()

    def in_speaker(self, *args):
        return ["ip", "netns", "exec", self.speaker, *args]

    # --- FRR ------------------------------------------------------------------------------

    def start_bgpd(self):
        conf = os.path.join(self.dir, "bgpd.conf")
        with open(conf, "w") as f:
            f.write(BGPD_CONF.format(dir=self.dir))
        self.pid_file = os.path.join(self.dir, "bgpd.pid")
        subprocess.run(["ip", "netns", "exec", self.router, BGPD, "-d", "-Z", "-S", "-p", "179",
                        "-P", "0", "-f", conf, "-i", self.pid_file, "--vty_socket", self.dir],
                       check=True)
        wait_for("bgpd's vty", lambda: os.path.exists(os.path.join(self.dir, "bgpd.vty")))

    def stop_bgpd(self):
        try:
            with open(self.pid_file) as f:
                pid = int(f.read())
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            return
        end = time.monotonic() + DEADLINE
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < end:
            time.sleep(0.1)
        # bgpd keeps a folder of its own per process there.
        shutil.rmtree(f"/var/tmp/frr/bgpd.{pid}", ignore_errors=True)

    def vtysh(self, command):
        result = subprocess.run(["vtysh", "--vty_socket", self.dir, "-c", command],
                                capture_output=True, text=True, timeout=10)
        try:
            return json.loads(result.stdout or "{}")
        except json.JSONDecodeError:
            return {}

    def state(self, neighbor):
        return self.vtysh("show bgp neighbors json").get(neighbor, {}).get("bgpState")

    def path(self, prefix):
        """bgpd's best path for the prefix, or None when it has none."""
        family = "ipv6" if ":" in prefix else "ipv4"
        paths = self.vtysh(f"show bgp {family} unicast {prefix} json").get("paths", [])
        return paths[0] if paths else None

    def communities(self, prefix):
        path = self.path(prefix) or {}
        return path.get("community", {}).get("string", "").split()

    def cease_received(self, neighbor, message):
        """bgpd's record of the last NOTIFICATION from the neighbor: Cease / Administrative
        Shutdown with vipd's shutdown communication (RFC 9003)."""
        state = self.vtysh("show bgp neighbors json").get(neighbor, {})
        return (state.get("lastNotificationReason", "").lower() ==
                "cease/administrative shutdown" and
                state.get("lastShutdownDescription") == message)

    def bgpd_log(self):
        try:
            with open(os.path.join(self.dir, "bgpd.log")) as f:
                return f.read()
        except OSError:
            return ""

    # --- vipd -----------------------------------------------------------------------------

    def start_backend(self, address):
        backend = self.start(self.in_speaker(sys.executable, BACKEND, address, str(PORT)),
                             stdout=subprocess.PIPE, text=True)
        backend.stdout.readline()  # "listening": bound
        return backend

    def start_vipd(self):
        conf = os.path.join(self.dir, "vipd.json")
        with open(conf, "w") as f:
            json.dump(NATIVE, f, indent=1)
        self.log = open(os.path.join(self.dir, "vipd.log"), "w+")
        control = os.path.join(self.dir, "vipd.ctl")
        return self.start(self.in_speaker(VIPD, "--dry-run", "--config", conf,
                                          "--control-socket", control),
                          stdout=subprocess.DEVNULL, stderr=self.log)

    def vipd_log(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def context(self):
        return f"\n--- vipd ---\n{self.vipd_log()}\n--- bgpd ---\n{self.bgpd_log()[-2000:]}"

    # --- the scenario ---------------------------------------------------------------------

    def assert_attributes(self, prefix, next_hop):
        path = wait_for(f"{prefix} at bgpd", lambda: self.path(prefix))
        hops = [hop.get("ip") for hop in path.get("nexthops", [])]
        self.assertEqual(path.get("aspath", {}).get("string"), "64512 64999", self.context())
        self.assertIn(next_hop, hops, self.context())
        self.assertEqual(path.get("metric"), 7, self.context())
        self.assertEqual(self.communities(prefix), ["65000:100"], self.context())
        self.assertEqual(path.get("largeCommunity", {}).get("string"), "64512:1:2",
                         self.context())
        self.assertEqual(path.get("origin"), "IGP", self.context())

    def test_health_gated_announcements_drain_and_stop(self):
        backends = {VIP4: self.start_backend("127.0.0.31"), VIP6: self.start_backend("::1")}
        vipd = self.start_vipd()

        for neighbor in (SPEAKER4, SPEAKER6):
            wait_for(f"the session with {neighbor}",
                     lambda n=neighbor: self.state(n) == "Established")
        self.assert_attributes(PREFIX4, SPEAKER4)
        self.assert_attributes(PREFIX6, SPEAKER6)

        # The IPv4 service's only server dies: its VIP goes, the other stays.
        backends[VIP4].kill()
        backends[VIP4].wait()
        wait_for("the withdrawal of the IPv4 VIP", lambda: self.path(PREFIX4) is None)
        self.assertIsNotNone(self.path(PREFIX6), self.context())

        self.start_backend("127.0.0.31")
        wait_for("the IPv4 VIP after recovery and hold-down", lambda: self.path(PREFIX4))

        backends[VIP6].kill()
        backends[VIP6].wait()
        wait_for("the withdrawal of the IPv6 VIP", lambda: self.path(PREFIX6) is None)
        self.start_backend("::1")
        self.assert_attributes(PREFIX6, SPEAKER6)

        # Drain: GRACEFUL_SHUTDOWN (RFC 8326) beside the configured community, then nothing.
        vipd.send_signal(signal.SIGUSR1)
        for prefix in (PREFIX4, PREFIX6):
            wait_for(f"GRACEFUL_SHUTDOWN on {prefix}",
                     lambda p=prefix: "graceful-shutdown" in self.communities(p))
            self.assertIn("65000:100", self.communities(prefix), self.context())
        for prefix in (PREFIX4, PREFIX6):
            wait_for(f"the withdrawal of {prefix} after the drain",
                     lambda p=prefix: self.path(p) is None)
        for neighbor in (SPEAKER4, SPEAKER6):
            self.assertEqual(self.state(neighbor), "Established", self.context())

        vipd.send_signal(signal.SIGTERM)
        self.assertEqual(vipd.wait(timeout=DEADLINE), 0, self.context())
        for neighbor in (SPEAKER4, SPEAKER6):
            wait_for(f"the session with {neighbor} closed",
                     lambda n=neighbor: self.state(n) != "Established")
        for neighbor in (SPEAKER4, SPEAKER6):
            wait_for(f"bgpd to record the Cease from {neighbor}",
                     lambda n=neighbor: self.cease_received(n, "vipd stopping"))


if __name__ == "__main__":
    if not os.path.exists(BGPD) or not shutil.which("vtysh"):
        print("SKIPPED: FRR (Debian package frr) is not installed", file=sys.stderr)
        sys.exit(77)
    if os.geteuid() != 0:
        print("SKIPPED: network namespaces need root", file=sys.stderr)
        sys.exit(77)
    VIPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
