#!/usr/bin/env python3
"""End-to-end: vipd's command line (--check-config, --version, --help, usage errors).

Usage: cli_test.py VIPD_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

VIPD = None
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples")


def run(*args):
    return subprocess.run([VIPD, *args], capture_output=True, text=True, timeout=120)


class CheckConfig(unittest.TestCase):
    def test_native_example_prints_normalised_json(self):
        result = run("--check-config", "--config", os.path.join(EXAMPLES, "demo", "vipd.json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        document = json.loads(result.stdout)
        services = document["vipd:config"]["service"]
        self.assertEqual([s["name"] for s in services], ["demo-http"])
        # Defaults are made explicit in the normalised form.
        self.assertEqual(services[0]["depool-threshold"], "0.5")
        self.assertIn("forwarding", services[0])

    def test_normalised_json_is_accepted_again(self):
        first = run("--check-config", "--config", os.path.join(EXAMPLES, "vipd.json"))
        self.assertEqual(first.returncode, 0, first.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            # Relative server lists resolve against the configuration's folder.
            for name in os.listdir(EXAMPLES):
                if name.endswith(".txt"):
                    os.symlink(os.path.join(EXAMPLES, name), os.path.join(tmp, name))
            path = os.path.join(tmp, "normalised.json")
            with open(path, "w") as f:
                f.write(first.stdout)
            second = run("--check-config", "--config", path)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(json.loads(first.stdout), json.loads(second.stdout))

    def test_pybal_example_is_imported(self):
        result = run("--check-config", "--pybal-config",
                     os.path.join(EXAMPLES, "pybal", "pybal.conf"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("vipd:config", json.loads(result.stdout))

    def test_errors_name_file_and_line_and_exit_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.json")
            with open(path, "w") as f:
                f.write('{\n  "vipd:config": {\n    "service": [\n'
                        '      {"name": "web", "protocol": "tcp", "address": "192.0.2.1",\n'
                        '       "port": 80, "colour": "blue"}\n    ]\n  }\n}\n')
            result = run("--check-config", "--config", path)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout, "")
        self.assertIn("bad.json", result.stderr)
        self.assertIn("colour", result.stderr)

    def test_pybal_unknown_key_is_a_warning_with_its_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            servers = os.path.join(tmp, "web.txt")
            with open(servers, "w") as f:
                f.write("{'host': '192.0.2.21', 'weight': 10, 'enabled': True}\n")
            conf = os.path.join(tmp, "pybal.conf")
            with open(conf, "w") as f:
                f.write("[global]\nbgp = no\n\n[web]\nprotocol = tcp\nip = 192.0.2.10\n"
                        "port = 80\nscheduler = wrr\nconfig = file://%s\n"
                        "frobnicate = yes\n" % servers)
            result = run("--check-config", "--pybal-config", conf)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("pybal.conf:10", result.stderr)
        self.assertIn("frobnicate", result.stderr)

    def test_broken_server_list_fails_the_check(self):
        with tempfile.TemporaryDirectory() as tmp:
            servers = os.path.join(tmp, "web.txt")
            with open(servers, "w") as f:
                f.write("{'host': '192.0.2.21', 'weight': 10}\n{'host': 'x', 'weight': ten}\n")
            conf = os.path.join(tmp, "pybal.conf")
            with open(conf, "w") as f:
                f.write("[web]\nprotocol = tcp\nip = 192.0.2.10\nport = 80\n"
                        "scheduler = wrr\nconfig = file://%s\n" % servers)
            result = run("--check-config", "--pybal-config", conf)
        self.assertEqual(result.returncode, 1)
        self.assertIn("web.txt:2", result.stderr)


class CommandLine(unittest.TestCase):
    def test_version(self):
        result = run("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^vipd \d+\.\d+\.\d+\n$")

    def test_help_lists_the_fixed_spellings(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        for option in ("--config", "--pybal-config", "--check-config", "--dry-run"):
            self.assertIn(option, result.stdout)

    def test_usage_errors_exit_2(self):
        for args in ([], ["--config"], ["--bogus"], ["--config", "a", "--pybal-config", "b"]):
            result = run(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn("usage:", result.stderr)

    def test_missing_file_exits_1(self):
        result = run("--check-config", "--config", "/nonexistent/vipd.json")
        self.assertEqual(result.returncode, 1)
        self.assertIn("/nonexistent/vipd.json", result.stderr)


if __name__ == "__main__":
    VIPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
