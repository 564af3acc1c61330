#!/usr/bin/env python3
"""End-to-end: vipc against a running `vipd --dry-run --control-socket PATH`.

Every command of vipc is run once: the tables are compared with goldens after masking what
varies (times, uptimes), and with --json the document's shape is checked against a schema
of required keys and types. Also: abbreviations and ambiguity, the exit codes, and `down`.

Usage: vipc_test.py VIPD_BINARY VIPC_BINARY
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest

VIPD = VIPC = None
HERE = os.path.dirname(os.path.abspath(__file__))
BACKEND = os.path.join(HERE, "..", "tools", "http_backend.py")
VIP = "192.0.2.10"
# A deadline after which vipd is declared not to have come up; not a timing assertion.
DEADLINE = 30.0

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
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ "http://web.example/" ]
proxyfetch.interval = 1
proxyfetch.timeout = 1
"""

# What --json must hold per command: key -> type, "[]" for a list.
SCHEMAS = {
    "show status": {"status": dict},
    "show services": {"services": list},
    "show servers": {"services": list},
    "show monitors": {"services": list},
    "show ipvs": {"ipvs": dict, "ipvs_services": list},
    "show protocols": {"protocols": list},
    "show route": {"routes": list},
}
SERVICE_KEYS = {"name": str, "address": str, "port": int, "scheduler": str, "servers": str,
                "up": str, "pooled": str, "depool_threshold": (int, float), "has_bgp": bool,
                "announced": bool, "announce_reason": str, "server_list": list}
SERVER_KEYS = {"host": str, "health": str, "pooled": bool, "enabled": bool, "weight": int,
               "monitors": list, "last_change": (int, float)}
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|never")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mask(text):
    text = TIME.sub("TIME", text)
    text = re.sub(r"\(up [^)]*\)", "(up UPTIME)", text)
    return re.sub(r"\d+\.\d+ms", "LATENCY", text)


class VipcAgainstVipd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        cls.port = free_port()
        cls.backends = [subprocess.Popen([sys.executable, BACKEND, host, str(cls.port)],
                                         stdout=subprocess.PIPE, text=True)
                        for host in ("127.0.0.21", "127.0.0.22")]
        for backend in cls.backends:
            backend.stdout.readline()
        servers = os.path.join(cls.dir, "servers.txt")
        with open(servers, "w") as f:
            for host in ("127.0.0.21", "127.0.0.22"):
                f.write("{'host': '%s', 'weight': 10, 'enabled': True}\n" % host)
        conf = os.path.join(cls.dir, "pybal.conf")
        with open(conf, "w") as f:
            f.write(PYBAL_CONF.format(vip=VIP, port=cls.port, servers=servers))
        cls.socket = os.path.join(cls.dir, "run", "vipd.ctl")
        cls.stderr = open(os.path.join(cls.dir, "vipd.stderr"), "w+")
        cls.vipd = subprocess.Popen(
            [VIPD, "--pybal-config", conf, "--dry-run", "--control-socket", cls.socket],
            stdout=subprocess.DEVNULL, stderr=cls.stderr)
        deadline = time.monotonic() + DEADLINE
        while cls.vipc("show", "status").returncode != 0:
            if time.monotonic() > deadline or cls.vipd.poll() is not None:
                cls.stderr.seek(0)
                raise AssertionError("vipd's control socket never answered:\n" +
                                     cls.stderr.read())
            time.sleep(0.1)
        # Tests compare replies taken one after the other: wait for a steady pool first, both
        # servers' first verdicts in (a monitor's first check starts within its first second).
        while not cls.both_servers_pooled():
            if time.monotonic() > deadline or cls.vipd.poll() is not None:
                raise AssertionError("the two servers were never both up and pooled")
            time.sleep(0.1)

    @classmethod
    def both_servers_pooled(cls):
        reply = cls.vipc("--json", "show", "services")
        if reply.returncode != 0:
            return False
        web = json.loads(reply.stdout)["services"][0]
        return web["up"] == "2" and web["pooled"] == "2"

    @classmethod
    def tearDownClass(cls):
        if cls.vipd.poll() is None:
            cls.vipd.terminate()
            cls.vipd.wait(timeout=DEADLINE)
        for backend in cls.backends:
            backend.kill()
            backend.wait()
        cls.stderr.close()
        cls.tmp.cleanup()

    @classmethod
    def vipc(cls, *args):
        return subprocess.run([VIPC, "-s", cls.socket, *args], capture_output=True, text=True,
                              timeout=DEADLINE, env=dict(os.environ, TZ="UTC"))

    def json(self, *args):
        result = self.vipc("--json", *args)
        return result, json.loads(result.stdout)

    def check_keys(self, item, keys, where):
        for key, kind in keys.items():
            self.assertIn(key, item, where)
            self.assertIsInstance(item[key], kind, f"{where}.{key}")

    def test_every_reply_starts_with_the_banner(self):
        result = self.vipc("show", "status")
        self.assertRegex(result.stdout, r"^vipd \S+ ready\.\n")
        self.assertIn("Daemon is up and running", result.stdout)
        self.assertIn("Mode:                 dry-run", result.stdout)

    def test_tables_have_their_layout(self):
        goldens = {
            ("show", "services"):
                "Name  VIP         Port  Proto  Sched  Servers  Up  Pooled  Threshold  "
                "Announced  Reason",
            ("show", "servers"):
                "Service  Server",
            ("show", "monitors"): "Service  Server",
            ("show", "ipvs"): "Prot LocalAddress:Port Scheduler Flags",
            ("show", "ipvs", "stats"): "  -> RemoteAddress:Port",
        }
        for command, header in goldens.items():
            result = self.vipc(*command)
            self.assertEqual(result.returncode, 0, result.stderr)
            # Columns are as wide as their widest cell (a 5-digit port widens "Port").
            self.assertIn(re.sub(" +", " ", header), re.sub(" +", " ", mask(result.stdout)),
                          command)
        ipvs = self.vipc("show", "ipvs").stdout
        self.assertIn(f"TCP  {VIP}:{self.port} wrr", ipvs)
        self.assertIn(f"  -> 127.0.0.21:{self.port}", ipvs)
        services = mask(self.vipc("show", "services", "web").stdout)
        self.assertRegex(services, rf"web\s+{VIP}\s+{self.port}\s+tcp\s+wrr\s+2\s")

    def test_json_documents_follow_the_schema(self):
        for command, keys in SCHEMAS.items():
            result, document = self.json(*command.split())
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(document["command"], command)
            self.assertEqual(document["result"]["code"], "RESULT_OK")
            self.check_keys(document, keys, command)
        _, servers = self.json("show", "servers")
        web = servers["services"][0]
        self.check_keys(web, SERVICE_KEYS, "service")
        self.check_keys(web["server_list"][0], SERVER_KEYS, "server")

    def test_abbreviations_and_ambiguity(self):
        self.assertEqual(self.vipc("sh", "servi").stdout, self.vipc("show", "services").stdout)
        self.assertEqual(self.vipc("sh", "pro").returncode, 0)
        ambiguous = self.vipc("sh", "ser")
        self.assertEqual(ambiguous.returncode, 2)
        self.assertIn("could be servers, services", ambiguous.stderr)
        unknown = self.vipc("sh")
        self.assertIn("No such command", unknown.stderr)

    def test_unknown_names_fail(self):
        self.assertEqual(self.vipc("show", "services", "mail").returncode, 1)
        self.assertEqual(self.vipc("disable", "server", "mail", "127.0.0.21").returncode, 1)

    def test_commands_that_change_something(self):
        for command in (["disable", "server", "web", f"127.0.0.22:{self.port}"],
                        ["enable", "server", "web", f"127.0.0.22:{self.port}"],
                        ["drain"], ["undrain"], ["configure", "check"]):
            result = self.vipc(*command)
            self.assertIn(result.returncode, (0, 1), command)
            self.assertTrue(result.stdout.strip() or result.stderr.strip(), command)
        # Without BGP, the protocol and VIP commands answer with a failure, not silence.
        for command in (["show", "protocols"], ["show", "route"],
                        ["disable", "protocol", "none"], ["restart", "protocol", "none"],
                        ["withdraw", "vip", VIP], ["announce", "vip", VIP]):
            result = self.vipc(*command)
            self.assertIn(result.returncode, (0, 1), command)
        self.stderr.seek(0)
        self.assertRegex(self.stderr.read(), r"control command .*caller_uid=%d" % os.getuid())

    def test_zz_down_stops_vipd(self):
        result = self.vipc("down")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.vipd.wait(timeout=DEADLINE), 0)
        self.assertEqual(self.vipc("show", "status").returncode, 3)


if __name__ == "__main__":
    VIPD, VIPC = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
