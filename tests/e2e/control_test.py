#!/usr/bin/env python3
"""End-to-end: the operator's commands against the real daemon (vipd --dry-run), seen in the
IPVS lines vipd prints, in its state file and on its HTTP endpoints.

- `disable server` depools the server (a dry-run `-d` line) and the override is kept across
  a restart in the file given with --state-file; `enable server` pools it again.
- `configure` applies a server list edit live, refuses a bad file and keeps the running
  configuration, and reports a change that needs a restart; SIGHUP reloads the same way.
- `withdraw vip` holds a VIP (kept in the state file, put back at the next start);
  `disable`, `enable` and `restart protocol` act on a BGP session.
- `down` stops vipd with exit status 0 and removes the socket.
- /pools, /alerts and /metrics served by the daemon itself.

Usage: control_test.py VIPD_BINARY VIPC_BINARY
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vipd_process import VipdProcess  # noqa: E402 (beside this file)

VIPD = VIPC = None
HERE = os.path.dirname(os.path.abspath(__file__))
BACKEND = os.path.join(HERE, "..", "tools", "http_backend.py")
VIP = "192.0.2.10"
HOSTS = ("127.0.0.41", "127.0.0.42", "127.0.0.43")
# A deadline after which an expected line is declared missing; not a timing assertion.
DEADLINE = 30.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def native_config(port, hosts, http_port=None, interval=1, extra_port=None):
    service = {
        "name": "web", "protocol": "tcp", "address": VIP, "port": port, "scheduler": "wrr",
        "depool-threshold": "0.3",
        "monitor": [{"name": "http", "kind": "http", "interval": interval, "timeout": 1,
                     "http": {"url": ["http://web.example/"]}}],
        "server": [{"host": host, "weight": 10} for host in hosts],
    }
    config = {"service": [service]}
    if extra_port:
        config["service"].append(dict(service, name="extra", port=extra_port))
    if http_port:
        config["global"] = {"instrumentation": {"enabled": True, "listen": ["127.0.0.1"],
                                                "port": http_port}}
    return json.dumps({"vipd:config": config}, indent=2)


def Vipd(args, workdir):
    return VipdProcess(VIPD, args, workdir, append_log=True)


class ControlAgainstVipd(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.port = free_port()
        self.backends = {}
        for host in HOSTS:
            self.backends[host] = subprocess.Popen(
                [sys.executable, BACKEND, host, str(self.port)], stdout=subprocess.PIPE,
                text=True)
            self.backends[host].stdout.readline()
        self.conf = os.path.join(self.dir, "vipd.json")
        self.socket = os.path.join(self.dir, "run", "vipd.ctl")
        self.state = os.path.join(self.dir, "state", "state.json")
        self.vipd = None

    def tearDown(self):
        if self.vipd:
            self.vipd.stop()
        for backend in self.backends.values():
            backend.kill()
            backend.wait()
            backend.stdout.close()
        self.tmp.cleanup()

    def write_config(self, hosts, path=None, **kwargs):
        with open(path or self.conf, "w") as f:
            f.write(native_config(self.port, hosts, **kwargs))

    def start_vipd(self, hosts):
        self.vipd = Vipd(["--config", self.conf, "--dry-run", "--control-socket", self.socket,
                          "--state-file", self.state], self.dir)
        self.vipd.expect([f"-A {self.service()} -s wrr"] + [self.add(h) for h in hosts])

    def vipc(self, *args):
        return subprocess.run([VIPC, "-s", self.socket, *args], capture_output=True, text=True,
                              timeout=DEADLINE)

    def service(self):
        return f"-t {VIP}:{self.port}"

    def add(self, host):
        return f"-a {self.service()} -r {host}:{self.port} -g -w 10"

    def delete(self, host):
        return f"-d {self.service()} -r {host}:{self.port}"

    def ipvs_destinations(self):
        result = self.vipc("--json", "show", "ipvs")
        self.assertEqual(result.returncode, 0, result.stderr)
        services = json.loads(result.stdout)["ipvs_services"]
        return sorted(d["address"] for s in services for d in s.get("destinations", []))

    def test_disabled_server_is_depooled_and_stays_disabled_across_a_restart(self):
        self.write_config(HOSTS[:2])
        self.start_vipd(HOSTS[:2])

        result = self.vipc("disable", "server", "web", HOSTS[1])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("disabled by the operator", result.stdout)
        self.vipd.expect([self.delete(HOSTS[1])])
        servers = self.vipc("show", "servers", "web").stdout
        self.assertRegex(servers, rf"{HOSTS[1]}.*no \(operator\)")
        with open(self.state) as f:
            state = json.load(f)
        self.assertEqual(state["version"], 2)
        self.assertEqual(state["disabled_servers"],
                         [{"service": "web", "host": HOSTS[1], "port": self.port}])

        self.assertEqual(self.vipc("down").returncode, 0)
        self.assertEqual(self.vipd.wait(), 0)
        # The first table after the restart already leaves the disabled server out.
        self.start_vipd(HOSTS[:1])
        self.assertEqual(self.ipvs_destinations(), [f"{HOSTS[0]}:{self.port}"])

        result = self.vipc("enable", "server", "web", f"{HOSTS[1]}:{self.port}")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.vipd.expect([self.add(HOSTS[1])])
        with open(self.state) as f:
            self.assertEqual(json.load(f)["disabled_servers"], [])

    def test_configure_applies_refuses_and_reports_what_needs_a_restart(self):
        self.write_config(HOSTS[:2])
        self.start_vipd(HOSTS[:2])

        # A server list edit is applied live.
        self.write_config(HOSTS)
        result = self.vipc("configure")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("applied: service web: servers", result.stdout)
        self.vipd.expect([self.add(HOSTS[2])])

        # A bad file changes nothing and says why.
        bad = os.path.join(self.dir, "bad.json")
        with open(bad, "w") as f:
            f.write('{"vipd:config": {"service": [{"name": "web"')
        result = self.vipc("configure", bad)
        self.assertEqual(result.returncode, 1)
        self.assertIn("configuration refused, nothing changed", result.stdout + result.stderr)
        self.assertIn("bad.json", result.stdout + result.stderr)
        check = self.vipc("configure", "check", bad)
        self.assertEqual(check.returncode, 1)
        self.assertEqual(len(self.ipvs_destinations()), 3)

        # A monitor change waits for a restart; the server removal beside it applies.
        self.write_config(HOSTS[:2], interval=2)
        result = self.vipc("configure")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("needs a restart: service web: monitors", result.stdout)
        self.vipd.expect([self.delete(HOSTS[2])])

        # SIGHUP reloads the same way.
        self.write_config(HOSTS, interval=2)
        self.vipd.process.send_signal(signal.SIGHUP)
        self.vipd.expect([self.add(HOSTS[2])])

    def test_configure_adds_and_removes_services(self):
        self.write_config(HOSTS[:1])
        self.start_vipd(HOSTS[:1])
        extra = free_port()
        self.write_config(HOSTS[:1], extra_port=extra)
        result = self.vipc("configure")
        self.assertIn("applied: service extra: added", result.stdout)
        self.vipd.expect([f"-A -t {VIP}:{extra} -s wrr"])

        self.write_config(HOSTS[:1])
        result = self.vipc("configure")
        self.assertIn("applied: service extra: removed", result.stdout)
        self.vipd.expect([f"-D -t {VIP}:{extra}"])
        self.assertEqual(self.vipc("show", "services", "extra").returncode, 1)

    def test_vip_hold_and_peer_commands_with_bgp(self):
        # A peer that never answers (port 1): the commands act on the session and the speaker.
        config = json.loads(native_config(self.port, HOSTS[:1]))
        config["vipd:config"]["global"] = {"bgp": {
            "enabled": True, "local-as": 65001, "router-id": "192.0.2.1", "listen": {"port": 0},
            "peer": [{"name": "r1", "address": "127.0.0.1", "port": 1, "peer-as": 65000}]}}
        with open(self.conf, "w") as f:
            json.dump(config, f)
        self.start_vipd(HOSTS[:1])

        self.assertRegex(self.vipc("show", "protocols").stdout, r"\nr1\s+BGP\s")
        self.assertEqual(self.vipc("withdraw", "vip", VIP).returncode, 0)
        self.assertIn("[operator hold]", self.vipc("show", "route", VIP).stdout)
        with open(self.state) as f:
            self.assertEqual(json.load(f)["held_vips"], [VIP])
        self.assertEqual(self.vipc("disable", "protocol", "r1").returncode, 0)
        self.assertRegex(self.vipc("show", "protocols").stdout, r"r1\s+BGP\s+---\s+down")
        self.assertEqual(self.vipc("enable", "protocol", "r1").returncode, 0)
        self.assertEqual(self.vipc("restart", "protocol", "r1").returncode, 0)
        self.assertEqual(self.vipc("restart", "protocol", "r9").returncode, 1)

        # The hold is put back at the next start.
        self.assertEqual(self.vipc("down").returncode, 0)
        self.assertEqual(self.vipd.wait(), 0)
        self.start_vipd(HOSTS[:1])
        self.assertIn("[operator hold]", self.vipc("show", "route", VIP).stdout)
        self.assertEqual(self.vipc("announce", "vip", VIP).returncode, 0)
        self.assertNotIn("[operator hold]", self.vipc("show", "route", VIP).stdout)

    def test_down_stops_vipd_with_status_zero(self):
        self.write_config(HOSTS[:1])
        self.start_vipd(HOSTS[:1])
        result = self.vipc("down")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.vipd.process.wait(timeout=DEADLINE), 0)
        self.assertFalse(os.path.exists(self.socket))

    def test_http_endpoints_are_served_by_the_daemon(self):
        http_port = free_port()
        self.write_config(HOSTS[:2], http_port=http_port)
        self.start_vipd(HOSTS[:2])
        base = f"http://127.0.0.1:{http_port}"

        def get(path, accept=None):
            request = urllib.request.Request(base + path)
            if accept:
                request.add_header("Accept", accept)
            with urllib.request.urlopen(request, timeout=DEADLINE) as response:
                return response.read().decode()

        self.assertEqual(get("/pools"), "web\n")
        pools = json.loads(get("/pools/web", "application/json"))
        self.assertEqual(sorted(pools), sorted(HOSTS[:2]))
        self.assertTrue(all(s["pooled"] and s["enabled"] and s["up"] for s in pools.values()))
        self.assertEqual(json.loads(get("/alerts", "application/json"))["status"], "ok")

        samples = {}
        for line in get("/metrics").splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                samples[name] = float(value)
        self.assertEqual(samples['vipd_service_servers_pooled{service="web"}'], 2)
        self.assertEqual(samples['vipd_dry_run{backend="dry-run"}'], 1)
        self.assertIn("vipd_ipvs_operations_total", " ".join(samples))
        # Every check counted in the duration histogram (none takes 10 s here).
        counts = {k: v for k, v in samples.items()
                  if k.startswith("vipd_monitor_check_duration_seconds_count")}
        self.assertEqual(len(counts), 2)
        for key, count in counts.items():
            labels = key[key.index("{") + 1:-1]
            self.assertGreaterEqual(count, 1)
            bucket = f'vipd_monitor_check_duration_seconds_bucket{{{labels},le="10"}}'
            self.assertEqual(samples[bucket], count, bucket)


if __name__ == "__main__":
    VIPD, VIPC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
