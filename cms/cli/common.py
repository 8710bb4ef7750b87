"""What every content command shares: consoles, the store, and errors as one clear line."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

import typer
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.markup import escape

from cms.config import get_settings
from cms.database import open_store
from cms.errors import CallerError
from cms.spine import liveness
from cms.store.connection import Store
from cms.store.outages import StoreUnavailableError, is_outage

log = logging.getLogger(__name__)

console = Console()
errors = Console(stderr=True)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print `message` (literally: no Rich markup in it is interpreted) and exit."""
    errors.print(f"[red]Error[/]: {escape(message)}")
    raise typer.Exit(code=code)


def run_with_store[T](work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the configured store, run `work`, close it; failures are one line, not a traceback."""

    async def main() -> T:
        async with open_store(get_settings()) as store, liveness.heartbeat():
            return await work(store)

    try:
        return asyncio.run(main())
    except CallerError as error:
        fail(str(error))
    except StoreUnavailableError as error:
        # Newsroom's own words (the embedded store's directory, why it did not start).
        errors.print(f"[red]The store is unavailable[/]: {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(code=1) from None
    except PyMongoError as error:
        if is_outage(error):
            # PyMongo's message names the store's address: at debug level only.
            log.debug("Store failure: %s", error)
            errors.print("[red]The store is unavailable[/]: no answer in time; try again shortly.")
        else:
            errors.print(f"[red]The store refused the command[/]: {escape(str(error))}")
        raise typer.Exit(code=1) from None
