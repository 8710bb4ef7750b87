"""Print the docs' table of settings, from `api.settings.Settings` (cms's and the API's).

    python scripts/settings_table.py

Paste it into docs/operations/configuration.md: tests/test_readme.py fails when the page's table
differs from what this prints.
"""

from pydantic_core import PydanticUndefined

from api.settings import Settings


def env_name(name: str) -> str:
    if name == "mongodb_uri":
        return "`MONGODB_URI` or `NEWSROOM_MONGODB_URI`"
    return f"`NEWSROOM_{name.upper()}`"


def shown(default: object) -> str:
    if hasattr(default, "get_secret_value"):
        return "a development placeholder"
    if default is None:
        return "unset"
    if default == []:
        return "empty"
    return f"`{str(default).lower() if isinstance(default, bool) else default}`"


def main() -> None:
    print("| variable | default | meaning |")
    print("| --- | --- | --- |")
    for name, field in Settings.model_fields.items():
        default = field.default
        if default is PydanticUndefined and field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
        meaning = (field.description or "").replace("|", "\\|")
        print(f"| {env_name(name)} | {shown(default)} | {meaning} |")


if __name__ == "__main__":
    main()
