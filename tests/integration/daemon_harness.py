"""What the daemon-level tests against real routers share: waiting for a state with a
deadline (a failure, never a timing assertion) and the child processes a test starts,
killed at its end."""
import subprocess
import time

DEADLINE = 30.0


def wait_for(what, check):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class ChildProcesses:
    """A test case mixin: start() remembers each process, kill_children() ends them all."""

    def start(self, args, **kwargs):
        process = subprocess.Popen(args, **kwargs)
        self.processes.append(process)
        return process

    def kill_children(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
