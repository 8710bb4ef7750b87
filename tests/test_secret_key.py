"""The secret key that signs voter cookies: a placeholder is refused in production."""

import pytest
from pydantic import ValidationError

from cms.config import PLACEHOLDER_SECRET, Settings
from tests.cli import newsroom

STRONG = "k3Vq9mZ2xR7pL0aT5wY8cN1bH4jF6dGs"


@pytest.mark.parametrize("secret", [None, PLACEHOLDER_SECRET, "short-but-set"])
def test_production_refuses_a_missing_placeholder_or_short_secret(secret: str | None) -> None:
    given = {} if secret is None else {"secret_key": secret}

    with pytest.raises(ValidationError, match="NEWSROOM_SECRET_KEY must be set"):
        Settings(environment="production", **given)  # type: ignore[arg-type]


def test_production_starts_with_a_real_secret_and_development_with_none() -> None:
    production = Settings(environment="production", secret_key=STRONG)
    development = Settings(environment="development")

    assert production.secret_key.get_secret_value() == STRONG
    assert development.secret_key.get_secret_value() == PLACEHOLDER_SECRET


def test_serve_refuses_to_start_in_production_without_a_secret(cli_env: dict[str, str]) -> None:
    env = cli_env | {"NEWSROOM_ENVIRONMENT": "production", "NEWSROOM_SECRET_KEY": "hunter2"}

    result = newsroom("serve", env=env)

    assert result.returncode == 2
    assert "Invalid settings" in result.stderr
    assert "NEWSROOM_SECRET_KEY must be set" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout  # not even a weak secret is shown
