"""Reading wrk's report: the benchmarks' figures come from it."""

import pytest

from bench.wrk import _milliseconds, _percentile

# As wrk prints it: the stdev column of a line can end in "50%", and a line can end in a space.
REPORT = """Running 8s test @ http://127.0.0.1:33005
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    26.20ms    7.29ms   1.01m    87.50%
    Req/Sec   614.07    117.94   737.00     80.00%
  Latency Distribution
     50%   23.36ms
     75%   27.17ms
     90%   37.04ms
     99%    1.20s\x20
  1834 requests in 3.00s, 279.40KB read
Requests/sec:    610.74
"""


def test_percentiles_come_from_the_distribution_not_a_stdev_column() -> None:
    assert _percentile(REPORT, 50) == pytest.approx(23.36)
    assert _percentile(REPORT, 99) == pytest.approx(1200.0)


def test_a_report_without_the_distribution_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="no 50% latency"):
        _percentile(REPORT.split("  Latency Distribution")[0], 50)


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [("850.00us", 0.85), ("12.31ms", 12.31), ("1.20s", 1200.0), ("1.01m", 60_600.0)],
)
def test_latency_units(text: str, milliseconds: float) -> None:
    assert _milliseconds(text) == pytest.approx(milliseconds)
