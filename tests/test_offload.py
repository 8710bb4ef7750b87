"""The offload worker (`cms.offload.off_loop`) belongs to the process: apps started one after
another share it, and it does its work with the settings of the process that asks."""

import os

import pytest

from api.settings import Settings
from cms.offload import off_loop
from tests.conftest import serving

PROBE = "NEWSROOM_OFFLOAD_PROBE"


def _setting(name: str) -> str | None:
    """In the worker: what its environment says."""
    return os.environ.get(name)


async def test_the_worker_outlives_an_app_and_serves_the_next(settings: Settings) -> None:
    async with serving(settings) as first:
        assert await first.data("{ __typename }") == {"__typename": "Query"}
        worker = await off_loop(os.getpid)
    async with serving(settings):
        assert await off_loop(os.getpid) == worker
    assert worker != os.getpid()


async def test_a_change_of_settings_in_the_environment_reaches_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PROBE, "first")
    assert await off_loop(_setting, PROBE) == "first"
    worker = await off_loop(os.getpid)

    monkeypatch.setenv(PROBE, "second")
    assert await off_loop(_setting, PROBE) == "second"
    assert await off_loop(os.getpid) != worker

    monkeypatch.delenv(PROBE)
    assert await off_loop(_setting, PROBE) is None
