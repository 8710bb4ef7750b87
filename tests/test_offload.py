"""The off-loop worker (`cms.offload.off_loop`): one per process, kept from app to app, and
started again when the environment it took its settings from has changed."""

import os

import pytest

from cms import offload

NAME = "NEWSROOM_TEST_OFFLOAD_SETTING"


def setting() -> tuple[int, str | None]:
    """In the worker: which process it is, and the variable as it sees it."""
    return os.getpid(), os.environ.get(NAME)


async def test_the_worker_is_kept_and_sees_the_environment_as_it_is_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(NAME, raising=False)
    first, unset = await offload.off_loop(setting)
    kept, _ = await offload.off_loop(setting)

    monkeypatch.setenv(NAME, "changed")
    replaced, changed = await offload.off_loop(setting)

    assert unset is None
    assert kept == first  # one worker for the process, not one a call
    assert changed == "changed"
    assert replaced != first
