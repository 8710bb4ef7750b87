"""`newsroom schema`: the GraphQL schema and the client files made from it."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
console = Console()


@schema_app.command("export")
def export_schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout."),
    ] = None,
) -> None:
    """Print the schema in GraphQL SDL, as committed in schema.graphql."""
    from api.schema import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        typer.echo(sdl, nl=False)
    else:
        output.write_text(sdl, encoding="utf-8")
        console.print(f"Wrote {output}.")


@schema_app.command("examples")
def export_examples(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="DIR", help="The folder to write into.")
    ] = Path("examples"),
) -> None:
    """Write the documented operations (`operations/*.graphql`) and Apollo Client's
    `possibleTypes.json`, as committed in examples/."""
    from api.client_files import write
    from api.schema import schema

    for path in write(output, schema._schema):
        console.print(f"Wrote {escape(str(path))}.")
