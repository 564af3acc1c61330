#!/usr/bin/env python3
"""The router-side examples of docs/bgp-operations.md parse in the real BIRD and FRR.

Each example is the first fenced block after its heading ("### BIRD 2", "### FRR"). BIRD
checks it with `bird -p` (parse and exit), FRR with `vtysh --dryrun`; each exits non-zero
and names the line on an error. Either tool missing: skipped (77), never passed.

Usage: router_examples_test.py DOCS_FILE
"""
import shutil
import subprocess
import sys
import tempfile
import unittest
import os

DOC = None
SKIP = 77


def example_after(heading):
    text = open(DOC, encoding="utf-8").read()
    at = text.index(heading + "\n")
    start = text.index("```\n", at) + len("```\n")
    return text[start:text.index("```\n", start)]


def check(command, config_text):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "router.conf")
        with open(path, "w", encoding="utf-8") as out:
            out.write(config_text)
        return subprocess.run(command + [path], capture_output=True, text=True, timeout=60)


class RouterExamples(unittest.TestCase):
    def test_bird_example_parses(self):
        result = check(["bird", "-p", "-c"], example_after("### BIRD 2"))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_frr_example_parses(self):
        result = check(["vtysh", "--dryrun", "-f"], example_after("### FRR"))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertNotIn("Unknown command", result.stdout + result.stderr)

    def test_checkers_refuse_a_broken_example(self):
        # The checks above can fail: a misspelt keyword is an error for both tools.
        bird = check(["bird", "-p", "-c"], example_after("### BIRD 2").replace(
            "ttl security on;", "ttl securityy on;"))
        self.assertNotEqual(bird.returncode, 0)
        frr = check(["vtysh", "--dryrun", "-f"], example_after("### FRR") + " frobnicate\n")
        self.assertNotEqual(frr.returncode, 0)


def main():
    global DOC
    if len(sys.argv) != 2:
        sys.exit("usage: router_examples_test.py DOCS_FILE")
    DOC = sys.argv[1]
    missing = [tool for tool in ("bird", "vtysh") if shutil.which(tool) is None]
    if missing:
        print(f"SKIPPED: {', '.join(missing)} not installed (Debian packages bird2, frr)")
        sys.exit(SKIP)
    program = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
