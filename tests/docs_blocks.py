"""The steps of a docs page that runs as a test: its commands and operations, each with the
answer the page shows. The format is described in docs/internals/tests.md ("Docs that run").

- A `console` block holds commands, each on a line starting with `$ ` (continued while it ends
  with a backslash or leaves a quote open), followed by the output the page shows for it.
  `make serve`, alone or after `NAME=value` assignments, starts the page's server instead.
- A `graphql` block is an operation; `json` blocks titled "Variables", "Headers" and "Answer"
  follow it, the answer last. GraphiQL has the same three panes.
- `<!-- docs-test: eventually -->` before a block: what it shows arrives asynchronously, so it is
  asked again until it matches. `<!-- docs-test: fails -->`: its commands exit non-zero.
- A line `--8<-- "path"` inside a block is that file of the repository (pymdownx.snippets).
- Any other block that looks runnable (shell without prompts, no language) is refused.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

SNIPPET = re.compile(r'^--8<-- "([^"]+)"$', re.MULTILINE)
DIRECTIVE = re.compile(r"^<!-- docs-test: (eventually|fails) -->$")
TITLE = re.compile(r'title="([^"]*)"')
SERVE = re.compile(r"^((?:[A-Z][A-Z0-9_]*=\S+\s+)*)make serve$")
# Shell blocks that would have to be run but cannot be told from their output.
REFUSED = {"", "sh", "bash", "shell", "zsh", "shell-session", "sh-session"}
PANES = ("Variables", "Headers", "Answer")


class PageError(Exception):
    """A block the runner cannot run: the page is wrong, whatever the server answers."""


@dataclass(frozen=True)
class Serve:
    line: int
    env: dict[str, str]


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    shown: str
    eventually: bool = False
    fails: bool = False


@dataclass
class Operation:
    line: int
    document: str
    eventually: bool = False
    panes: dict[str, str] = field(default_factory=dict)


Step = Serve | Command | Operation


def with_snippets(text: str, root: Path) -> str:
    def included(match: re.Match[str]) -> str:
        name, _, section = match.group(1).partition(":")
        path = root / name
        if not path.is_file():
            raise PageError(f"the snippet {name} is not a file of the repository")
        text = path.read_text()
        if section:
            start, end = f"--8<-- [start:{section}]", f"--8<-- [end:{section}]"
            if start not in text or end not in text:
                raise PageError(f"{name} has no section {section}")
            text = text.split(start, 1)[1].split("\n", 1)[1].split(end, 1)[0]
            text = text.rsplit("\n", 1)[0]
        return text.rstrip("\n")

    return SNIPPET.sub(included, text)


def _complete(command: str) -> bool:
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command)
    except ValueError:  # a quote still open: the command goes on on the next line
        return False
    return True


def console_steps(text: str, line: int, *, eventually: bool, fails: bool) -> list[Step]:
    """The commands of a `console` block, each with the output shown under it."""
    found: list[tuple[int, list[str], list[str]]] = []
    for number, row in enumerate(text.splitlines(), start=line + 1):
        if found and not _complete("\n".join(found[-1][1])):
            found[-1][1].append(row)
        elif row.startswith("$ "):
            found.append((number, [row.removeprefix("$ ")], []))
        elif not found:
            raise PageError(f"line {number}: output before any `$ ` command")
        else:
            found[-1][2].append(row)
    if not found:
        raise PageError(f"line {line}: a console block with no `$ ` command")
    steps: list[Step] = []
    for number, command, shown in found:
        joined = "\n".join(command)
        serve = SERVE.match(joined)
        if serve:
            if any(row.strip() for row in shown) or eventually or fails:
                raise PageError(f"line {number}: `make serve` shows no output and takes no marks")
            env = dict(pair.split("=", 1) for pair in serve.group(1).split())
            steps.append(Serve(number, env))
        else:
            steps.append(Command(number, joined, "\n".join(shown), eventually, fails))
    return steps


def steps(markdown: str, root: Path) -> list[Step]:
    """Every step of the page, in order; PageError for a block that cannot be run."""
    found: list[Step] = []
    directive: str | None = None
    operation: Operation | None = None
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "html_block" and (mark := DIRECTIVE.match(token.content.strip())):
            directive = mark.group(1)
            continue
        if token.type != "fence":
            continue
        line = (token.map or [0])[0] + 1
        language = token.info.split(maxsplit=1)[0] if token.info.strip() else ""
        title = TITLE.search(token.info)
        content = with_snippets(token.content, root)
        if language == "json" and title and title.group(1) in PANES:
            pane = title.group(1)
            if operation is None or pane in operation.panes:
                raise PageError(f"line {line}: a {pane} block that follows no operation")
            operation.panes[pane] = content
            if pane == "Answer":
                operation = None
            continue
        if operation is not None:
            raise PageError(f"line {operation.line}: an operation with no Answer block after it")
        if language == "graphql":
            if directive == "fails":
                raise PageError(f"line {line}: an operation's errors are in its Answer")
            operation = Operation(line, content, eventually=directive == "eventually")
            found.append(operation)
        elif language == "console":
            found += console_steps(
                content, line, eventually=directive == "eventually", fails=directive == "fails"
            )
        elif language in REFUSED or language == "json":
            raise PageError(
                f"line {line}: a `{language or 'plain'}` block cannot be run: write commands as "
                "`console` with `$ ` prompts, and answers as `json` titled Variables, Headers "
                "or Answer after their operation"
            )
        directive = None
    if operation is not None:
        raise PageError(f"line {operation.line}: an operation with no Answer block after it")
    return found
