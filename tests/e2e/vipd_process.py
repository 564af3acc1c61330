"""vipd as a child process, for the end-to-end tests: its standard output (the dry run's
ipvsadm lines) is queued line by line as it arrives, its log kept in a file of the test's
folder. Waits end at a deadline, after which the test fails: never a timing assertion."""
import os
import queue
import signal
import subprocess
import threading
import time

DEADLINE = 30.0


class VipdProcess:
    def __init__(self, binary, args, workdir, append_log=False):
        """`append_log` keeps one log across several runs in the same folder (restarts)."""
        self.stderr = open(os.path.join(workdir, "vipd.stderr"), "a+" if append_log else "w+")
        self.process = subprocess.Popen([binary] + args, stdout=subprocess.PIPE,
                                        stderr=self.stderr, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, wanted):
        """Waits for each line of `wanted` (in any order); returns the lines seen."""
        wanted, seen = set(wanted), []
        end = time.monotonic() + DEADLINE
        while wanted:
            try:
                line = self.lines.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"missing {sorted(wanted)}; seen {seen}; log:\n"
                                     + self.log()[-4000:])
            seen.append(line)
            wanted.discard(line)
        return seen

    def quiet_for(self, seconds):
        """Returns the lines printed within `seconds` (expected: none)."""
        seen, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                seen.append(self.lines.get(timeout=max(0.0, end - time.monotonic())))
            except queue.Empty:
                break
        return seen

    def log(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def stop(self):
        """SIGTERM, then SIGKILL past the deadline; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.wait()

    def wait(self):
        """Waits for vipd to exit by itself (e.g. after `vipc down`); returns its status."""
        code = self.process.wait(timeout=DEADLINE)
        self.process.stdout.close()
        if not self.stderr.closed:
            self.stderr.close()
        return code
