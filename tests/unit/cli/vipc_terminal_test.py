#!/usr/bin/env python3
"""vipc in a pseudo-terminal against fake_vipd: Tab completion of commands and names, `?`
help, a command's table, and the exit codes of one-shot use.

Usage: vipc_terminal_test.py VIPC FAKE_VIPD
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile

# A safety net against a hung vipc, not a timing assertion.
PATIENCE = 30


class Terminal:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.seen = b""

    def send(self, text):
        os.write(self.fd, text.encode())

    def expect(self, text):
        """Reads until `text` has appeared since the last expect; returns what came."""
        wanted = text.encode()
        while wanted not in self.seen:
            ready, _, _ = select.select([self.fd], [], [], PATIENCE)
            if not ready:
                raise AssertionError(f"never saw {text!r}; got {self.seen!r}")
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError(f"vipc ended before {text!r}; got {self.seen!r}")
            self.seen += chunk
        upto = self.seen.index(wanted) + len(wanted)
        out, self.seen = self.seen[:upto], self.seen[upto:]
        return out.decode(errors="replace")

    def wait(self):
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def interactive(vipc, socket, env):
    term = Terminal([vipc, "-s", socket], env)
    term.expect("vipd 0.1.0 ready.")
    term.expect("vipc> ")

    # An ambiguous word grows to the common prefix and lists the candidates; a letter more
    # completes it.
    term.send("sh ser\t")
    listing = term.expect("vipc> ")
    check("servers" in listing and "services" in listing, f"no candidates in {listing!r}")
    # (The terminal shows only what changes, so the line is checked by what it runs.)
    term.send("i\t")

    # Names of services come from the daemon.
    term.send("\t")
    names = term.expect("vipc> ")
    check("dns" in names and "web" in names, f"no service names in {names!r}")
    term.send("w\t\r")
    table = term.expect("vipc> ")
    check("192.0.2.10" in table and "192.0.2.53" not in table, f"not web's table: {table!r}")

    # `?` lists what may come next and is not inserted.
    term.send("sh ?")
    helped = term.expect("vipc> ")
    check("show services [SERVICE]" in helped, f"no help in {helped!r}")
    check("show protocols [all] [PEER]" in helped, f"no help in {helped!r}")
    term.send("pro\r")
    protocols = term.expect("vipc> ")
    check("router1" in protocols and "Established" in protocols,
          f"`sh pro` after `?` gave {protocols!r}")

    # An ambiguous command is an error that names the candidates; the shell goes on.
    term.send("sh ser\r")
    error = term.expect("vipc> ")
    check("could be servers, services" in error, f"no ambiguity error in {error!r}")

    term.send("quit\r")
    check(term.wait() == 0, "quit did not exit 0")


def one_shot(vipc, socket, read_only, env):
    def run(*args, stdin=None):
        return subprocess.run([vipc, *args], env=env, input=stdin, capture_output=True,
                              text=True, timeout=PATIENCE)

    ok = run("-s", socket, "sh", "st")
    check(ok.returncode == 0 and "Daemon is up and running" in ok.stdout, ok)
    check(ok.stdout.startswith("vipd 0.1.0 ready.\n"), ok.stdout)
    check(run("-s", socket, "configure", "check", "/bad.yaml").returncode == 1, "failure")
    check(run("-s", socket, "sh", "ser").returncode == 2, "ambiguity is a usage error")
    check(run("--frobnicate").returncode == 2, "unknown option")
    check(run("-s", socket + ".none", "sh", "st").returncode == 3, "cannot connect")
    refused = run("-s", read_only, "drain")
    check(refused.returncode == 1 and "read-only" in refused.stderr, refused)
    piped = run("-s", socket, stdin="sh pro\nsh ro 192.0.2.10\n")
    check(piped.returncode == 0 and "router1" in piped.stdout
          and "BGP.med: 10" in piped.stdout, piped)


def main():
    vipc, fake = sys.argv[1], sys.argv[2]
    folder = tempfile.mkdtemp(prefix="vipc-terminal-")
    socket = os.path.join(folder, "vipd.ctl")
    read_only = os.path.join(folder, "vipd-ro.ctl")
    daemon = subprocess.Popen([fake, socket, read_only], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        check(daemon.stdout.readline().strip() == "ready", "fake_vipd did not start")
        suppressions = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan.supp")
        env = dict(os.environ, TERM="xterm", TZ="UTC", HOME=folder,
                   LSAN_OPTIONS=f"suppressions={suppressions}")
        interactive(vipc, socket, env)
        one_shot(vipc, socket, read_only, env)
    finally:
        daemon.terminate()
        daemon.wait(timeout=PATIENCE)
        shutil.rmtree(folder, ignore_errors=True)
    print("vipc terminal test passed")


if __name__ == "__main__":
    main()
