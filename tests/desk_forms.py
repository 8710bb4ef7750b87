"""A desk page's forms as a browser without JavaScript sends them: every named control of the form
with the given action, with its value (ticked boxes and radios only), in document order."""

from html.parser import HTMLParser

Fields = list[tuple[str, str]]
# The editor's labels as issue 23 names them, in the order the editor shows them.
EDITOR_LABELS = (
    "Headline",
    "Slug",
    "Excerpt",
    "Body",
    "Section",
    "Tags",
    "Authors",
    "Byline credit",
    "Image",
    "External image URL",
    "Image caption",
    "Image credit",
    "Image alt text",
    "Publish at",
    "Unpublish at",
    "Related articles",
    "Never related",
)


class _Forms(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: Fields = []
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and found.get("action") == self.action:
            self.inside = True
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in found:
                return
            self.fields.append((name, found.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, "".join(self.text)))
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


def form_fields(page: str, action: str) -> Fields:
    """The fields the form posting to `action` sends as the page stands."""
    parser = _Forms(action)
    parser.feed(page)
    assert parser.fields, f"no form posts to {action}"
    return parser.fields


def changed(fields: Fields, **values: str | list[str]) -> Fields:
    """The same fields with some replaced (a list gives a field several values)."""
    kept = [(name, value) for name, value in fields if name not in values]
    for name, value in values.items():
        kept += [(name, item) for item in ([value] if isinstance(value, str) else value)]
    return kept
