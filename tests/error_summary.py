"""Reading a page's error summary (templates/partials/error_summary.html) in view tests."""

from html.parser import HTMLParser


class _SummaryReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0  # inside the summary while above 0
        self.heading: list[str] = []
        self.items: list[tuple[str, str]] = []
        self._item: list | None = None
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0 and tag == "div" and "data-error-summary" in attrs:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "div":
            self.depth += 1
        elif tag == "h2":
            self._in_heading = True
        elif tag == "li":
            self._item = ["", []]
        elif tag == "a" and self._item is not None:
            self._item[0] = attrs.get("href", "")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "div":
            self.depth -= 1
        elif tag == "h2":
            self._in_heading = False
        elif tag == "li" and self._item is not None:
            self.items.append((self._item[0], " ".join("".join(self._item[1]).split())))
            self._item = None

    def handle_data(self, data):
        if self._in_heading:
            self.heading.append(data)
        elif self._item is not None:
            self._item[1].append(data)


def read_summary(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The summary's heading, and each error as (link target or "", words)."""
    reader = _SummaryReader()
    reader.feed(html)
    return "".join(reader.heading).strip(), reader.items


def summary_links(html: str) -> list[tuple[str, str]]:
    return read_summary(html)[1]


def assert_every_link_finds_its_field(html: str) -> None:
    """Each link of the summary goes to a control on the page, and the control says the same."""
    for target, _ in summary_links(html):
        if target:
            assert html.count(f'id="{target[1:]}"') == 1, f"no single control with the id of {target}"
