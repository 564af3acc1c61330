#!/usr/bin/env python3
"""vipd's BGP speaker against a real BGP implementation.

bgp_interop.py --driver PATH --peer bird|frr --scenario NAME

The test starts the peer (its configuration written to a temporary folder) and bgp_driver,
scripts health changes on the driver's stdin and watches the routes arrive at the peer
through the peer's own CLI. BIRD runs on loopback; FRR runs in two network namespaces
joined by a veth pair, created and deleted by the test. Exit 77 (skipped) when the peer's
binary is not installed.

The router is AS 65000, the speaker AS 64512; test prefixes are 198.18.0.0/15 and
2001:db8::/32, which nothing routes.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SKIP = 77
HERE = Path(__file__).resolve().parent
VIP4 = "198.18.0.1/32"
VIP6 = "2001:db8::1/128"
LOCAL_AS = 64512
PEER_AS = 65000
MED = 50
AS_PATH = "64600"
COMMUNITY = "64512:100"
LARGE = "4200000001:1:1"
HOLD_DOWN = 3
# The bulk scenario's VIPs: past the first part a long decision is sent in (2,048 changes).
BULK_VIPS = 5000
DRAIN_TIME = 3
GRACEFUL_SHUTDOWN = "65535:0"


class Failure(Exception):
    pass


def wait_until(what, condition, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port():
    """A TCP port free on 127.0.0.1 and ::1 now, so that tests running beside others on the
    machine do not meet on a fixed port."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as v4:
            v4.bind(("127.0.0.1", 0))
            port = v4.getsockname()[1]
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as v6:
                try:
                    v6.bind(("::1", port))
                    return port
                except OSError:
                    continue


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Driver:
    """bgp_driver, fed commands on stdin."""

    def __init__(self, binary, args, folder, prefix=()):
        self.stderr = open(folder / "driver.log", "w")
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1")
        self.process = subprocess.Popen(
            [*prefix, binary, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True, env=env)
        self.log_path = folder / "driver.log"

    def command(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        lines = []
        while True:
            reply = self.process.stdout.readline()
            if not reply:
                raise Failure(f"driver exited during '{line}'")
            reply = reply.strip()
            if reply == "ok":
                return lines
            lines.append(reply)

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process.poll() is None:
            try:
                self.command("stop")
                self.process.stdout.readline()
                self.process.wait(timeout=15)
            except (Failure, BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.stderr.close()
        if self.process.returncode not in (0, -signal.SIGKILL):
            raise Failure(f"driver exited with {self.process.returncode}")

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()
        self.stderr.close()

    def tail(self, lines=80):
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""


def communities_of(text):
    # BIRD prints "(64512,100) (65535,0)" and "(4200000001, 1, 1)".
    out = set()
    for part in text.replace(", ", ",").split():
        out.add(part.strip("()").replace(",", ":"))
    return out


class Bird:
    """BIRD 2 on loopback: passive, on 127.0.0.1 and ::1, a port picked by the test."""

    binary = "bird"

    def __init__(self, folder, md5=None, connects=False):
        self.folder = folder
        self.control = folder / "bird.ctl"
        self.connects = connects
        password = f'password "{md5}";' if md5 else ""
        self.port = free_port()
        self.speaker_port = free_port()
        template = (HERE / "peers" / "bird-loopback.conf").read_text()
        template = template.replace("@PASSIVE@", "" if connects else "passive on;")
        template = template.replace("@PORT@", str(self.port))
        template = template.replace("@SPEAKER_PORT@", str(self.speaker_port))
        (folder / "bird.conf").write_text(template.replace("@PASSWORD@", password))

    def driver_args(self, md5=None):
        args = []
        if getattr(self, "connects", False):
            # Both sides connect: collisions (RFC 4271 6.8) are resolved by the identifiers.
            args += ["--listen", "127.0.0.2", "--listen", "::1", "--listen-port",
                     str(self.speaker_port)]
        for peer, local in (("127.0.0.1", "127.0.0.2"), ("::1", "::1")):
            args += ["--peer", peer, "--peer-port", str(self.port), "--peer-as", str(PEER_AS),
                     "--local-address", local, "--hold-time", "9"]
            if md5:
                args += ["--md5", md5]
        return args

    def driver_prefix(self):
        return ()

    def start(self):
        subprocess.run([self.binary, "-c", str(self.folder / "bird.conf"), "-s",
                        str(self.control), "-P", str(self.folder / "bird.pid")],
                       cwd=self.folder, check=True)
        wait_until("bird's control socket", self.control.exists, 10)

    def stop(self):
        pid_file = self.folder / "bird.pid"
        if pid_file.exists():
            try:
                pid = int(pid_file.read_text())
                os.kill(pid, signal.SIGTERM)
                wait_until("bird to exit", lambda: not Path(f"/proc/{pid}").exists(), 10)
            except (ValueError, ProcessLookupError):
                pass
            pid_file.unlink(missing_ok=True)
        self.control.unlink(missing_ok=True)

    def cli(self, *words):
        result = subprocess.run(["birdc", "-s", str(self.control), *words],
                                capture_output=True, text=True)
        return result.stdout

    def established(self):
        lines = self.cli("show", "protocols").splitlines()
        states = [line for line in lines if line.startswith("speaker")]
        return len(states) == 2 and all("Established" in line for line in states)

    def info(self, protocol):
        return self.cli("show", "protocols", "all", protocol)

    def protocol_established(self, protocol):
        lines = self.cli("show", "protocols", protocol).splitlines()
        return any(line.startswith(protocol) and "Established" in line for line in lines)

    def log_text(self):
        try:
            return (self.folder / "bird.log").read_text()
        except OSError:
            return ""

    def received_cease(self, protocol, what, message):
        """Whether BIRD's log has protocol receiving the Cease `what` with message, e.g.
        'speaker4: Received: Administrative shutdown: "vipd stopping"'."""
        return any(line for line in self.log_text().splitlines()
                   if f"{protocol}: Received: {what}" in line and message in line)

    def routes(self):
        """prefix -> {as_path, next_hop, med, communities, large}"""
        routes = {}
        current = None
        for line in self.cli("show", "route", "all").splitlines():
            if line and not line[0].isspace() and "/" in line.split()[0]:
                current = {"as_path": "", "next_hop": None, "med": None,
                           "communities": set(), "large": set(), "local_pref": None}
                routes[line.split()[0]] = current
            elif current is not None and ":" in line:
                key, _, value = line.strip().partition(": ")
                value = value.strip()
                if key == "BGP.as_path":
                    current["as_path"] = value
                elif key == "BGP.next_hop":
                    current["next_hop"] = value.split()[0]
                elif key == "BGP.med":
                    current["med"] = int(value)
                elif key == "BGP.local_pref":
                    current["local_pref"] = int(value)
                elif key == "BGP.community":
                    current["communities"] = communities_of(value)
                elif key == "BGP.large_community":
                    current["large"] = communities_of(value)
        return routes

    def next_hops(self):
        return {VIP4: "127.0.0.2", VIP6: "::1"}

    def prefixes(self):
        """The prefixes it holds, without their attributes: cheap for thousands."""
        return {line.split()[0] for line in self.cli("show", "route").splitlines()
                if line and not line[0].isspace() and "/" in line.split()[0]}


class NetnsPeer:
    """A router in namespace <tag>r, the speaker in <tag>s, joined by a veth pair."""

    def __init__(self, folder):
        self.folder = folder
        self.tag = f"vipd{os.getpid() % 100000}"
        self.router = self.tag + "r"
        self.speaker = self.tag + "s"
        self.netns = False

    def driver_prefix(self):
        return ("ip", "netns", "exec", self.speaker)

    def netns_up(self):
        subprocess.run(["bash", str(HERE / "peers" / "netns.sh"), "up", self.tag], check=True)
        self.netns = True

    def netns_down(self):
        if self.netns:
            subprocess.run(["bash", str(HERE / "peers" / "netns.sh"), "down", self.tag])
            self.netns = False

    def next_hops(self):
        return {VIP4: "169.254.0.2", VIP6: "fd00:0:0:1::2"}


class Frr(NetnsPeer):
    """FRR bgpd in the router namespace. FRR connects; the driver is passive and listens on
    port 179 of its namespace."""

    binary = "/usr/lib/frr/bgpd"

    def __init__(self, folder, md5=None, connects=False):
        super().__init__(folder)
        template = (HERE / "peers" / "frr-netns.conf").read_text()
        (folder / "bgpd.conf").write_text(template)

    def driver_args(self, md5=None):
        args = ["--listen", "169.254.0.2", "--listen", "fd00:0:0:1::2", "--listen-port", "179"]
        for peer in ("169.254.0.1", "fd00:0:0:1::1"):
            args += ["--peer", peer, "--peer-as", str(PEER_AS), "--passive", "--hold-time", "9"]
        return args

    def start(self):
        if not self.netns:
            self.netns_up()
        pid_file = self.folder / "bgpd.pid"
        pid_file.unlink(missing_ok=True)
        subprocess.run(["ip", "netns", "exec", self.router, self.binary, "-d", "-Z", "-S",
                        "-p", "179", "-P", "0", "-f", str(self.folder / "bgpd.conf"),
                        "-i", str(pid_file), "--vty_socket", str(self.folder),
                        "--log", f"file:{self.folder / 'bgpd.log'}"], check=True)
        wait_until("bgpd's pid file", pid_file.exists, 10)
        wait_until("bgpd's vty", lambda: (self.folder / "bgpd.vty").exists(), 10)

    def stop(self, keep_netns=False):
        pid_file = self.folder / "bgpd.pid"
        if pid_file.exists():
            try:
                pid = int(pid_file.read_text())
                os.kill(pid, signal.SIGTERM)
                wait_until("bgpd to exit", lambda: not Path(f"/proc/{pid}").exists(), 10)
                Path(f"/var/tmp/frr/bgpd.{pid}").unlink(missing_ok=True)
                shutil.rmtree(f"/var/tmp/frr/bgpd.{pid}", ignore_errors=True)
            except (ValueError, ProcessLookupError):
                pass
            pid_file.unlink(missing_ok=True)
        (self.folder / "bgpd.vty").unlink(missing_ok=True)
        if not keep_netns:
            self.netns_down()

    def vtysh(self, command):
        result = subprocess.run(["vtysh", "--vty_socket", str(self.folder), "-c", command],
                                capture_output=True, text=True)
        try:
            return json.loads(result.stdout or "{}")
        except json.JSONDecodeError:
            return {}

    def established(self):
        neighbors = self.vtysh("show bgp neighbors json")
        wanted = ("169.254.0.2", "fd00:0:0:1::2")
        return all(neighbors.get(n, {}).get("bgpState") == "Established" for n in wanted)

    def info(self, protocol):
        return json.dumps(self.vtysh("show bgp neighbors json"), indent=1)

    def routes(self):
        routes = {}
        for family in ("ipv4", "ipv6"):
            table = self.vtysh(f"show bgp {family} unicast json").get("routes", {})
            for prefix in table:
                detail = self.vtysh(f"show bgp {family} unicast {prefix} json")
                paths = detail.get("paths", [])
                if not paths:
                    continue
                path = paths[0]
                hops = [h.get("ip") for h in path.get("nexthops", []) if h.get("ip")]
                routes[prefix] = {
                    "as_path": path.get("aspath", {}).get("string", ""),
                    "next_hop": hops[0] if hops else None,
                    "med": path.get("metric"),
                    "local_pref": path.get("locPrf"),
                    "communities": {FRR_WELL_KNOWN.get(c, c) for c in
                                    path.get("community", {}).get("string", "").split()},
                    "large": set(path.get("largeCommunity", {}).get("string", "").split()),
                }
        return routes

    def prefixes(self):
        return {prefix for family in ("ipv4", "ipv6")
                for prefix in self.vtysh(f"show bgp {family} unicast json").get("routes", {})}


class GoBgp(NetnsPeer):
    """gobgpd in the router namespace, passive; the driver connects."""

    binary = "gobgpd"

    def __init__(self, folder, md5=None, connects=False):
        super().__init__(folder)
        template = (HERE / "peers" / "gobgp-netns.toml").read_text()
        (folder / "gobgp.toml").write_text(template)
        self.socket = folder / "gobgp.sock"
        self.process = None

    def driver_args(self, md5=None):
        args = []
        for peer, local in (("169.254.0.1", "169.254.0.2"), ("fd00:0:0:1::1", "fd00:0:0:1::2")):
            args += ["--peer", peer, "--peer-as", str(PEER_AS), "--local-address", local,
                     "--hold-time", "9"]
        return args

    def start(self):
        if not self.netns:
            self.netns_up()
        self.socket.unlink(missing_ok=True)
        self.log_file = open(self.folder / "gobgpd.log", "a")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.router, self.binary, "-f",
             str(self.folder / "gobgp.toml"), "--api-hosts", f"unix://{self.socket}",
             "--pprof-disable", "-p"], stdout=self.log_file, stderr=subprocess.STDOUT)
        wait_until("gobgpd's api socket", self.socket.exists, 10)

    def stop(self, keep_netns=False):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
            self.log_file.close()
        if not keep_netns:
            self.netns_down()

    def cli(self, *words):
        result = subprocess.run(["gobgp", "--target", f"unix://{self.socket}", *words, "-j"],
                                capture_output=True, text=True)
        try:
            return json.loads(result.stdout or "null")
        except json.JSONDecodeError:
            return None

    def established(self):
        neighbors = self.cli("neighbor") or []
        states = [n.get("state", {}).get("session_state") for n in neighbors]
        return len(states) == 2 and all(state == 6 for state in states)

    def info(self, protocol):
        return json.dumps(self.cli("neighbor"), indent=1)

    def routes(self):
        routes = {}
        for family in ("ipv4", "ipv6"):
            for prefix, paths in (self.cli("global", "rib", "-a", family) or {}).items():
                best = next((p for p in paths if p.get("best")), paths[0] if paths else None)
                if best is not None:
                    routes[prefix] = self.attributes(best.get("attrs", []))
        return routes

    def prefixes(self):
        return {prefix for family in ("ipv4", "ipv6")
                for prefix in (self.cli("global", "rib", "-a", family) or {})}

    @staticmethod
    def attributes(attrs):
        route = {"as_path": "", "next_hop": None, "med": None, "local_pref": None,
                 "communities": set(), "large": set()}
        for attr in attrs:
            kind = attr.get("type")
            if kind == 2:
                route["as_path"] = " ".join(str(asn) for segment in attr.get("as_paths", [])
                                            for asn in segment.get("asns", []))
            elif kind in (3, 14):
                route["next_hop"] = attr.get("nexthop")
            elif kind == 4:
                route["med"] = attr.get("metric")
            elif kind == 5:
                route["local_pref"] = attr.get("value")
            elif kind == 8:
                route["communities"] = {f"{c >> 16}:{c & 0xFFFF}"
                                        for c in attr.get("communities", [])}
            elif kind == 32:
                route["large"] = {f"{c['ASN']}:{c['LocalData1']}:{c['LocalData2']}"
                                  for c in attr.get("value", [])}
        return route


class ExaBgp:
    """ExaBGP on loopback, passive on 127.0.0.1 and ::1 (a port picked by the test); what it
    receives is kept by peers/exabgp-recv.py in the test's folder."""

    binary = "exabgp"

    def __init__(self, folder, md5=None, connects=False):
        self.folder = folder
        shutil.copy(HERE / "peers" / "exabgp-recv.py", folder / "exabgp-recv.py")
        self.port = free_port()
        template = (HERE / "peers" / "exabgp-loopback.conf").read_text()
        template = template.replace("@PORT@", str(self.port))
        (folder / "exabgp.conf").write_text(template.replace("@FOLDER@", str(folder)))
        self.process = None

    driver_args = Bird.driver_args

    def driver_prefix(self):
        return ()

    def start(self):
        for name in ("rib.json", "state.json"):
            (self.folder / name).unlink(missing_ok=True)
        env = dict(os.environ, **{"exabgp.daemon.user": "root",
                                  "exabgp.daemon.pid": str(self.folder / "exabgp.pid"),
                                  "exabgp.api.cli": "false",
                                  "exabgp.log.destination": str(self.folder / "exabgp.log")})
        self.log_file = open(self.folder / "exabgp.out", "a")
        self.process = subprocess.Popen([self.binary, str(self.folder / "exabgp.conf")],
                                        env=env, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, cwd=self.folder)
        wait_until("exabgp's api process", (self.folder / "state.json").exists, 15)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
            self.log_file.close()

    def read(self, name):
        try:
            return json.loads((self.folder / name).read_text())
        except (OSError, ValueError):
            return {}

    def established(self):
        state = self.read("state.json")
        return state.get("127.0.0.2") == "up" and state.get("::1") == "up"

    def info(self, protocol):
        return json.dumps(self.read("state.json"))

    def routes(self):
        routes = {}
        for families in self.read("rib.json").values():
            for prefixes in families.values():
                for prefix, attributes in prefixes.items():
                    routes[prefix] = {
                        "as_path": " ".join(str(a) for a in attributes.get("as-path", [])),
                        "next_hop": attributes.get("next-hop"),
                        "med": attributes.get("med"),
                        "local_pref": attributes.get("local-preference"),
                        "communities": {f"{a}:{b}" for a, b in attributes.get("community", [])},
                        "large": {":".join(str(part) for part in c)
                                  for c in attributes.get("large-community", [])},
                    }
        return routes

    def next_hops(self):
        return {VIP4: "127.0.0.2", VIP6: "::1"}

    def prefixes(self):
        return {prefix for families in self.read("rib.json").values()
                for prefixes in families.values() for prefix in prefixes}


# FRR prints well-known communities by name.
FRR_WELL_KNOWN = {"graceful-shutdown": GRACEFUL_SHUTDOWN}

PEERS = {"bird": Bird, "frr": Frr, "gobgp": GoBgp, "exabgp": ExaBgp}
PACKAGES = {"bird": "bird2", "frr": "frr", "gobgp": "gobgpd", "exabgp": "exabgp"}


# --- Scenarios ------------------------------------------------------------------------------

def expect_route(peer, prefix, extra_communities=()):
    """Waits until the peer holds prefix with exactly the configured attributes."""
    expected = {
        "as_path": f"{LOCAL_AS} {AS_PATH}",
        "next_hop": peer.next_hops()[prefix],
        "med": MED,
        "communities": {COMMUNITY, *extra_communities},
        "large": {LARGE},
    }
    last = {"problem": "not received"}

    def matches():
        route = peer.routes().get(prefix)
        if route is None:
            last["problem"] = "not received"
            return None
        for key, value in expected.items():
            if route[key] != value:
                last["problem"] = f"{key} is {route[key]!r}, expected {value!r}"
                return None
        return route

    try:
        return wait_until(f"{prefix} at the peer", matches)
    except Failure as failure:
        raise Failure(f"{failure}: {prefix} {last['problem']}") from None


def expect_gone(peer, prefix, timeout=20.0):
    wait_until(f"{prefix} withdrawn at the peer", lambda: prefix not in peer.routes(), timeout)


def announced(context):
    peer, driver = context["peer"], context["driver"]
    wait_until("the sessions to be established", peer.established)
    driver.command(f"up {VIP4}")
    driver.command(f"up {VIP6}")
    driver.command("startup")
    expect_route(peer, VIP4)
    expect_route(peer, VIP6)
    log("both VIPs arrived with the configured attributes")


def scenario_announce(context):
    announced(context)


def scenario_withdraw_recover(context):
    peer, driver = context["peer"], context["driver"]
    announced(context)
    for prefix in (VIP4, VIP6):
        driver.command(f"down {prefix}")
        expect_gone(peer, prefix)
        log(f"{prefix} withdrawn")

        recovered = time.monotonic()
        driver.command(f"up {prefix}")
        time.sleep(HOLD_DOWN / 2)
        if prefix in peer.routes():
            raise Failure(f"{prefix} announced again within the hold-down")
        expect_route(peer, prefix)
        waited = time.monotonic() - recovered
        if waited < HOLD_DOWN - 0.5:
            raise Failure(f"{prefix} came back after {waited:.1f} s, hold-down {HOLD_DOWN} s")
        log(f"{prefix} announced again after {waited:.1f} s")


def scenario_peer_restart(context):
    peer = context["peer"]
    announced(context)
    if isinstance(peer, NetnsPeer):
        peer.stop(keep_netns=True)
    else:
        peer.stop()
    log("peer stopped")
    peer.start()
    wait_until("the sessions to recover", peer.established, 30)
    expect_route(peer, VIP4)
    expect_route(peer, VIP6)
    log("sessions recovered and routes sent again")


def scenario_hold_timer(context):
    peer, driver = context["peer"], context["driver"]
    announced(context)
    driver.pause()
    log("driver stopped with SIGSTOP")
    try:
        wait_until("the peer's hold timer to expire", lambda: not peer.established(), 20)
        expect_gone(peer, VIP4, 5)
        info = peer.info("speaker4")
        if isinstance(peer, Bird) and "Hold timer expired" not in info:
            raise Failure("bird does not report the hold timer expiry:\n" + info)
        log("the peer's hold timer expired and the routes are gone")
    finally:
        driver.resume()
    wait_until("the sessions to recover", peer.established, 30)
    expect_route(peer, VIP4)
    log("sessions recovered after SIGCONT")


def scenario_graceful_shutdown(context):
    peer, driver = context["peer"], context["driver"]
    announced(context)
    driver.command("drain")
    expect_route(peer, VIP4, [GRACEFUL_SHUTDOWN])
    expect_route(peer, VIP6, [GRACEFUL_SHUTDOWN])
    log("routes carry GRACEFUL_SHUTDOWN")
    expect_gone(peer, VIP4, DRAIN_TIME + 10)
    expect_gone(peer, VIP6, 5)
    if not peer.established():
        raise Failure("sessions went down during the drain")
    log("withdrawn after the drain time, sessions up")
    driver.command("undrain")
    route = expect_route(peer, VIP4)
    if GRACEFUL_SHUTDOWN in route["communities"]:
        raise Failure("undrain kept GRACEFUL_SHUTDOWN")

    driver.stop()
    context["driver_stopped"] = True
    expect_gone(peer, VIP4, 5)
    wait_until("the sessions to close", lambda: not peer.established(), 10)
    for protocol in ("speaker4", "speaker6"):
        # The log, not `show protocols all`: BIRD logs what it read off the wire, so a lost
        # NOTIFICATION shows as "Connection closed" there.
        expect_cease(peer, protocol, "Administrative shutdown", "vipd stopping")
    log("stop: withdrawn, closed with Cease / administrative shutdown")


def first_peer(peer):
    """The driver's name of its IPv4 peer (the first --peer), the one VIP4 goes to."""
    args = peer.driver_args()
    return args[args.index("--peer") + 1]


def expect_reply(driver, command, expected):
    reply = driver.command(command)
    if not reply or not reply[0].startswith(expected):
        raise Failure(f"'{command}' answered {reply!r}, expected {expected!r}")
    return reply[0]


def sessions(driver):
    """The driver's view: peer name -> (state, times Established)."""
    out = {}
    for line in driver.command("status"):
        fields = dict(field.split("=", 1) for field in line.split())
        out[fields["peer"]] = (fields["state"], int(fields["established"]))
    return out


def expect_cease(peer, protocol, what, message):
    """The peer got the Cease `what` with its shutdown communication (RFC 9003): BIRD logs
    it, FRR keeps it as the neighbour's last NOTIFICATION. GoBGP and ExaBGP show no more
    than the session going down, which the scenarios check."""
    if isinstance(peer, Bird):
        wait_until(f"bird to log '{protocol}: Received: {what}' with \"{message}\"",
                   lambda: peer.received_cease(protocol, what, message), 10)
    elif isinstance(peer, Frr):
        neighbor = {"speaker4": "169.254.0.2", "speaker6": "fd00:0:0:1::2"}[protocol]

        def received():
            state = peer.vtysh("show bgp neighbors json").get(neighbor, {})
            reason = state.get("lastNotificationReason", "").lower()
            return (reason == f"cease/{what}".lower()
                    and state.get("lastShutdownDescription") == message)

        wait_until(f"frr to record Cease/{what} \"{message}\" from {neighbor}", received, 10)


def scenario_operator_commands(context):
    """vipc's disable, enable and restart protocol, withdraw and announce vip, as the peer
    sees them: the IPv4 session down with Cease / Administrative Shutdown and staying down,
    up again with its routes, reset with Cease / Administrative Reset; a VIP withdrawn while
    healthy and announced again."""
    peer, driver = context["peer"], context["driver"]
    name = first_peer(peer)
    announced(context)
    expect_reply(driver, "disable peer9", "error: no such protocol: peer9")
    expect_reply(driver, "withdraw 198.18.0.99", "error: no such vip: 198.18.0.99")

    expect_reply(driver, f"disable {name}", f"protocol {name} disabled")
    expect_cease(peer, "speaker4", "Administrative shutdown",
                 "disabled by the operator: vipc disable protocol")
    expect_gone(peer, VIP4)
    time.sleep(3)  # BIRD retries within 1 s, vipd's idle hold is 1 s: a disabled peer stays down
    status = " ".join(driver.command("status"))
    if f"peer={name} state=idle enabled=0" not in status:
        raise Failure(f"{name} not idle and disabled: {status}")
    if VIP4 in peer.routes() or VIP6 not in peer.routes():
        raise Failure("disable protocol changed more than the IPv4 session")
    log("disable protocol: Cease / Administrative Shutdown, session down, stays down")

    expect_reply(driver, f"enable {name}", f"protocol {name} enabled")
    expect_route(peer, VIP4)
    log("enable protocol: session up with its routes")

    before = sessions(driver)[name][1]
    expect_reply(driver, f"restart {name}", f"protocol {name} restarted")
    expect_cease(peer, "speaker4", "Administrative reset",
                 "restarted by the operator: vipc restart protocol")
    wait_until("vipd's session to come back",
               lambda: sessions(driver)[name] == ("established", before + 1), 30)
    wait_until("the peer's sessions to come back", peer.established, 30)
    expect_route(peer, VIP4)
    log("restart protocol: Cease / Administrative Reset, up again with its routes")

    up = sessions(driver)
    expect_reply(driver, f"withdraw {VIP4}", f"vip {VIP4} withdrawn from every peer")
    expect_gone(peer, VIP4)
    routes = driver.command("routes")
    if not any(f"prefix={VIP4}" in r and "announced=0" in r and "hold=1" in r for r in routes):
        raise Failure(f"routes do not show the hold: {routes}")
    if VIP6 not in peer.routes() or sessions(driver) != up:
        raise Failure("withdraw vip changed more than the VIP")
    expect_reply(driver, f"announce {VIP4}", f"vip {VIP4} released, now announced")
    expect_route(peer, VIP4)
    log("withdraw vip / announce vip: the VIP away while healthy, and back")

    driver.stop()
    context["driver_stopped"] = True
    for protocol in ("speaker4", "speaker6"):
        expect_cease(peer, protocol, "Administrative shutdown", "vipd stopping")
    wait_until("the sessions to close", lambda: not peer.established(), 10)
    log("stop: every session closed with Cease / Administrative Shutdown")


def scenario_both_connect(context):
    """Both sides connect (the driver started first, so that the router's connection may
    meet vipd's retry): whatever collides (RFC 4271 6.8), one session each must stay."""
    peer, driver = context["peer"], context["driver"]
    time.sleep(1.5)
    peer.start()
    announced(context)
    time.sleep(3)  # let any second connection arrive and be resolved
    if not peer.established():
        raise Failure("sessions did not settle")
    expect_route(peer, VIP4)
    status = " ".join(driver.command("status"))
    log(f"both sides connect; one session each stayed ({status})")


def scenario_graceful_restart(context):
    peer, driver = context["peer"], context["driver"]
    announced(context)
    driver.stop()
    context["driver_stopped"] = True
    wait_until("the sessions to close", lambda: not peer.established(), 10)
    time.sleep(2)
    for prefix in (VIP4, VIP6):
        if prefix not in peer.routes():
            raise Failure(f"{prefix} dropped although graceful restart was negotiated")
    log("stopped under graceful restart: the peer keeps the routes")


def scenario_md5(context):
    announced(context)
    log("session up with TCP MD5 signatures")


def scenario_bulk(context):
    """Thousands of VIPs: start-up announces them all and a reload that removes them
    withdraws them all, each decision big enough to be sent in parts while it is made; the
    two VIPs the reload keeps stay, with their attributes."""
    peer, driver = context["peer"], context["driver"]
    everything = BULK_VIPS + 2
    wait_until("the sessions to be established", peer.established)
    driver.command("up-all")
    driver.command("startup")
    wait_until(f"{everything} prefixes at the peer", lambda: len(peer.prefixes()) == everything,
               timeout=60)
    log(f"{everything} prefixes arrived")
    driver.command("keep 2")
    wait_until("only the two kept VIPs at the peer",
               lambda: peer.prefixes() == {VIP4, VIP6}, timeout=60)
    expect_route(peer, VIP4)
    expect_route(peer, VIP6)
    log(f"{BULK_VIPS} withdrawn by the reload, the two kept VIPs unchanged")


SCENARIOS = {
    "announce": scenario_announce,
    "withdraw-recover": scenario_withdraw_recover,
    "peer-restart": scenario_peer_restart,
    "hold-timer": scenario_hold_timer,
    "graceful-shutdown": scenario_graceful_shutdown,
    "md5": scenario_md5,
    "both-connect": scenario_both_connect,
    "graceful-restart": scenario_graceful_restart,
    "operator-commands": scenario_operator_commands,
    "bulk": scenario_bulk,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    parser.add_argument("--peer", choices=sorted(PEERS), required=True)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    options = parser.parse_args()

    kind = PEERS[options.peer]
    if not shutil.which(kind.binary):
        print(f"SKIPPED: {kind.binary} is not installed (Debian package "
              f"{PACKAGES[options.peer]})", flush=True)
        return SKIP
    if issubclass(kind, NetnsPeer) and os.geteuid() != 0:
        print("SKIPPED: network namespaces need root", flush=True)
        return SKIP

    md5 = "vipd-secret" if options.scenario == "md5" else None
    with tempfile.TemporaryDirectory(prefix=f"vipd-{options.peer}-") as temp:
        folder = Path(temp)
        os.chmod(folder, 0o755)
        peer = kind(folder, md5, connects=options.scenario == "both-connect")
        driver = None
        context = {"peer": peer}
        try:
            if options.scenario != "both-connect":
                peer.start()
            args = ["--local-as", str(LOCAL_AS), "--router-id", "10.0.0.2",
                    "--vip", VIP4, "--vip", VIP6, "--med", str(MED), "--as-path", AS_PATH,
                    "--community", COMMUNITY, "--large-community", LARGE,
                    "--hold-down", str(HOLD_DOWN), "--drain-time", str(DRAIN_TIME),
                    *peer.driver_args(md5)]
            if options.scenario == "graceful-restart":
                args.append("--graceful-restart")
            if options.scenario == "bulk":
                args += ["--many-vips", str(BULK_VIPS)]
            driver = Driver(options.driver, args, folder, peer.driver_prefix())
            context["driver"] = driver
            SCENARIOS[options.scenario](context)
            if not context.get("driver_stopped"):
                driver.stop()
            driver = None
            log(f"PASSED {options.peer} {options.scenario}")
            return 0
        except Failure as failure:
            print(f"FAILED {options.peer} {options.scenario}: {failure}", flush=True)
            if driver is not None:
                print("--- driver log (last lines)\n" + driver.tail(), flush=True)
            return 1
        finally:
            if driver is not None:
                driver.kill()
            peer.stop()


if __name__ == "__main__":
    sys.exit(main())
