"""Running wrk, the HTTP load generator, and reading what it reports."""

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _milliseconds(text: str) -> float:
    # wrk prints latencies as e.g. 850.00us, 12.31ms, 1.20s, 1.01m
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _percentile(out: str, percent: int) -> float:
    # The distribution's own line: a stdev column can also end in e.g. "87.50%".
    found = re.search(rf"^\s*{percent}%\s+(\S+)\s*$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk reported no {percent}% latency:\n{out}")
    return _milliseconds(found.group(1))


def lua_post(
    bodies: Sequence[Mapping[str, Any]],
    *,
    vote_share: float = 0.0,
    votes: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """A wrk script posting one of `bodies` at random (and a vote with `vote_share`)."""
    encoded = ",\n".join(json.dumps(json.dumps(body)) for body in bodies)
    vote_lines = ",\n".join(json.dumps(json.dumps(body)) for body in votes or [])
    return f"""
local bodies = {{ {encoded} }}
local votes = {{ {vote_lines} }}
local headers = {{ ["Content-Type"] = "application/json" }}
request = function()
  if #votes > 0 and math.random() < {vote_share} then
    return wrk.format("POST", "/graphql", headers, votes[math.random(#votes)])
  end
  return wrk.format("POST", "/graphql", headers, bodies[math.random(#bodies)])
end
"""


def run_wrk(url: str, *, script: str, seconds: int, connections: int = 16) -> Load:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", file.name, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        Path(file.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _percentile(out, 50)
    p99 = _percentile(out, 99)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if socket:
        errors += sum(int(group) for group in socket.groups())
    return Load(rate, p50, p99, errors)
