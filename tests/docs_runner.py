"""Run a docs page's steps against a real `newsroom serve` and check each answer the page shows.

The page is written for a reader who ran `make serve` in the repository: the API on port 8000,
the CLI at `.venv/bin/newsroom`, a webhook receiver on port 8001. The runner gives the page the
same in a folder of its own: `.venv` and `examples` lead to the real ones, `make serve` loads
the demo content and starts `newsroom serve` on the test's database, and the ports 8000 and 8001
(as whole numbers anywhere in a block) become free ones.
"""

import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.cli import newsroom
from tests.docs_answers import Mismatch, fill, match_json, match_text
from tests.docs_blocks import Command, Operation, PageError, Serve, Step
from tests.docs_shell import Shell, shell
from tests.servers import free_port, served

REPO = Path(__file__).resolve().parent.parent
PORTS = re.compile(r"(?<![\d.])(8000|8001)(?![\d.])")
EVENTUALLY = 60.0  # seconds an asynchronous answer has to arrive


def _eventually(check: Callable[[], None], *, patient: bool) -> None:
    deadline = time.monotonic() + (EVENTUALLY if patient else 0)
    while True:
        try:
            check()
            return
        except Mismatch:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.25)


class PageRun:
    def __init__(self, folder: Path, env: dict[str, str], stack: contextlib.ExitStack) -> None:
        self.folder = folder
        self.env = env
        self.stack = stack
        self.captures: dict[str, str] = {}
        self.ports = {"8000": "", "8001": str(free_port())}
        self.http: httpx.Client | None = None
        self.url = ""
        self._shell: Shell | None = None

    def local(self, text: str) -> str:
        """`text` with the page's ports made this run's and its placeholders filled in."""
        return PORTS.sub(lambda match: self.ports[match.group(1)] or match.group(1), text)

    @property
    def shell(self) -> Shell:
        if self._shell is None:
            # The shell's folder has what a clone would: the environment `make` built, and
            # examples/ (read only, by the commands the pages show).
            (self.folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
            (self.folder / "examples").symlink_to(REPO / "examples")
            self._shell = self.stack.enter_context(shell(self.folder, self.env))
        return self._shell

    def serve(self, step: Serve) -> None:
        if self.http is not None:
            raise PageError(f"line {step.line}: the page starts a second server")
        env = self.env | step.env
        # What `make serve` does: load the demo content, then serve it.
        loaded = newsroom("fixtures", "load", str(REPO / "fixtures"), env=env)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        (self.folder / "server").mkdir()
        url = self.stack.enter_context(served(env, self.folder / "server" / "server.log"))
        self.ports["8000"] = url.rsplit(":", 1)[1]
        # The reader's commands assume the port `make serve` listens on, as the server does.
        self.env = self.env | {"NEWSROOM_PORT": self.ports["8000"]}
        self.url = url
        self.http = self.stack.enter_context(httpx.Client(base_url=url, timeout=60))

    def command(self, step: Command) -> None:
        command = self.local(fill(step.text, self.captures))

        def check() -> None:
            status, printed = self.shell.run(command)
            if (status != 0) != step.fails:
                raise AssertionError(
                    f"line {step.line}: `{command}` exited with {status}"
                    f"{' (the page marks it as failing)' if step.fails else ''}:\n{printed}"
                )
            self._compare(step.shown, printed)

        try:
            _eventually(check, patient=step.eventually)
        except Mismatch as error:
            raise Mismatch(f"line {step.line}: `{command}`: {error}") from None

    def operation(self, step: Operation) -> None:
        if self.http is None:
            raise PageError(f"line {step.line}: an operation before the server starts")
        http = self.http
        sent = {
            pane: json.loads(self.local(fill(step.panes[pane], self.captures)))
            for pane in ("Variables", "Headers")
            if pane in step.panes
        }
        body: dict[str, Any] = {"query": self.local(fill(step.document, self.captures))}
        if "Variables" in sent:
            body["variables"] = sent["Variables"]

        def check() -> None:
            answer = http.post("/graphql", json=body, headers=sent.get("Headers", {}))
            self._compare(step.panes["Answer"], answer.text)

        try:
            _eventually(check, patient=step.eventually)
        except Mismatch as error:
            raise Mismatch(f"line {step.line}: {error}") from None

    def _compare(self, shown: str, actual: str) -> None:
        """Placeholders are remembered only once the whole answer matched."""
        captures = dict(self.captures)
        shown = self.local(shown)
        if shown.lstrip().startswith(("{", "[")):
            try:
                data = json.loads(actual)
            except ValueError:
                raise Mismatch(f"the page shows JSON, the answer is not:\n{actual}") from None
            match_json(json.loads(shown), data, captures)
        else:
            match_text(shown, actual, captures)
        self.captures = captures


def run_page(steps: list[Step], folder: Path, env: dict[str, str]) -> None:
    """Every step in order; the first that does not answer as the page shows fails."""
    with page_run(steps, folder, env):
        pass


@contextlib.contextmanager
def page_run(steps: list[Step], folder: Path, env: dict[str, str]) -> Iterator[PageRun]:
    """`run_page`, its server kept running while the block goes on from where the page ends (a
    page whose last steps are taken in a browser)."""
    with contextlib.ExitStack() as stack:
        page = PageRun(folder, env, stack)
        for step in steps:
            match step:
                case Serve():
                    page.serve(step)
                case Command():
                    page.command(step)
                case Operation():
                    page.operation(step)
        yield page
