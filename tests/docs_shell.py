"""One bash session for a docs page's commands, as a reader types them one after another in
one terminal: variables, functions and background jobs carry from one command to the next."""

import contextlib
import os
import queue
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path


class Shell:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)

    def run(self, command: str, timeout: float = 120) -> tuple[int, str]:
        """The exit status of `command` and what it printed (stdout and stderr, interleaved)."""
        assert self._process.stdin is not None
        marker = f"docs-test-{uuid.uuid4().hex}"
        # The marker starts a line of its own even after output that does not end one.
        self._process.stdin.write(f"{command}\nprintf '\\n{marker} %s\\n' \"$?\"\n".encode())
        self._process.stdin.flush()
        printed = b""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"`{command}` did not finish in {timeout} s") from None
            if line.startswith(marker.encode()):
                status = int(line.split()[1])
                return status, printed.decode().removesuffix("\n")
            printed += line

    def close(self) -> None:
        """Ends the session and every job it started."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGTERM)
        self._process.wait(timeout=30)
        self._reader.join(timeout=30)
        self._process.stdout.close()


@contextlib.contextmanager
def shell(cwd: Path, env: dict[str, str]) -> Iterator[Shell]:
    """A session in `cwd`; on leaving, it and every job it started are ended."""
    process = subprocess.Popen(
        ["bash", "--noprofile", "--norc"],
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # Its own process group: the background jobs a page starts end with it.
        start_new_session=True,
    )
    session = Shell(process)
    try:
        yield session
    finally:
        session.close()
