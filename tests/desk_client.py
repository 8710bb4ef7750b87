"""The desk as a browser without JavaScript uses it: pages fetched, forms sent with the fields the
page holds (its token included), cookies kept."""

import html
import re
from dataclasses import dataclass

import httpx

from cms.access import Role
from cms.people import passwords
from cms.people.accounts import Person, create_person
from tests.factories import FACTORY

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_STATUS = re.compile(r'role="status">([^<]*)<')
_TITLE = re.compile(r"<h1>(.*?)</h1>", re.DOTALL)
_COUNTS = re.compile(r'<ul class="counts">(.*?)</ul>', re.DOTALL)
_TAB = re.compile(r'<li><a href="[^"]*"(?: aria-current="page")?>([^<]*)</a></li>')
_ROWS = re.compile(r'<td><a href="/desk/articles/([0-9a-f]{24})">([^<]*)</a></td>')
_ALERT = re.compile(r'role="alert"[^>]*>(.*?)</', re.DOTALL)


async def make_person(
    email: str,
    *,
    role: Role = Role.EDITOR,
    name: str = "Ada Lovelace",
    password: str | None = PASSWORD,
) -> Person:
    hashed = await passwords.hash_password(password) if password is not None else None
    return await create_person(
        actor=FACTORY, email=email, name=name, role=role, password_hash=hashed
    )


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, f"no form token in the page:\n{page[:2000]}"
    return html.unescape(found.group(1))


@dataclass
class Page:
    response: httpx.Response

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def title(self) -> str:
        found = _TITLE.search(self.text)
        return html.unescape(found.group(1)).strip() if found else ""

    @property
    def alert(self) -> str:
        found = _ALERT.search(self.text)
        return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""

    @property
    def summary(self) -> str:
        found = _STATUS.search(self.text)
        return html.unescape(found.group(1)) if found else ""

    @property
    def tabs(self) -> list[str]:
        counts = _COUNTS.search(self.text)
        return [html.unescape(label) for label in _TAB.findall(counts.group(1) if counts else "")]

    @property
    def rows(self) -> list[tuple[str, str]]:
        return [
            (found_id, html.unescape(headline)) for found_id, headline in _ROWS.findall(self.text)
        ]

    @property
    def location(self) -> str:
        location: str = self.response.headers.get("location", "")
        return location


class Desk:
    """One browser at the desk."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str) -> Page:
        return Page(await self.http.get(path))

    async def post(self, path: str, fields: dict[str, str], **kwargs: object) -> Page:
        return Page(await self.http.post(path, data=fields, **kwargs))  # type: ignore[arg-type]

    async def log_in(self, email: str, password: str = PASSWORD, *, next: str = "") -> Page:
        form = await self.get("/desk/login" + (f"?next={next}" if next else ""))
        fields = {"csrf": csrf_of(form.text), "email": email, "password": password}
        if next:
            fields["next"] = next
        return await self.post("/desk/login", fields)

    async def log_out(self) -> Page:
        page = await self.get("/desk/articles")
        return await self.post("/desk/logout", {"csrf": csrf_of(page.text)})
