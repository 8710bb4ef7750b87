"""What the desk's pages share while the app runs: its settings, cookie names and limits."""

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from cms.config import Settings
from cms.people.login import Throttle, lifetime
from cms.people.sessions import Lifetime


@dataclass(frozen=True, slots=True)
class Desk:
    settings: Settings
    throttle: Throttle
    lifetime: Lifetime
    # Cookies only over HTTPS outside development, and then with the `__Host-` prefix, which
    # browsers accept only from this very host, over HTTPS, for the whole site: a neighbouring
    # subdomain cannot plant one.
    secure: bool
    session_cookie: str
    form_cookie: str

    @classmethod
    def of(cls, settings: Settings) -> "Desk":
        secure = settings.environment != "development"
        prefix = "__Host-" if secure else ""
        return cls(
            settings=settings,
            throttle=Throttle.of(settings),
            lifetime=lifetime(settings),
            secure=secure,
            session_cookie=f"{prefix}newsroom-desk",
            form_cookie=f"{prefix}newsroom-desk-form",
        )

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()


def desk_of(request: HTTPConnection) -> Desk:
    desk: Desk = request.app.state.desk
    return desk
