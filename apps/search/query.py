"""A search query as both backends read it, and the one way highlighted text becomes HTML.

Highlights are HTML in which the only markup is `<mark>...</mark>`: everything else, user
content included, is escaped here and nowhere else. PostgreSQL's `ts_headline` wraps matches in
two private-use characters (stripped from the content beforehand, so no row can forge one);
`marked_html` escapes the text and only then turns those characters into tags.

`ts_headline` also reads `<...>` in the text as HTML tags and drops them (and skips the words of
a `<script>` pair), though our columns are plain text. So the content goes in with `<` and `>`
swapped for two more private-use characters (`HEADLINE_FROM` -> `HEADLINE_TO` in SQL's
`translate`, which also deletes any private-use character the content held), and they come
back as `&lt;` and `&gt;`. Titles swap `.`, `_` and `-` too (`TITLE_FROM` -> `TITLE_TO`), so
that `report` is marked in `Q3-report_final.pdf`, which the parser reads as one word.
"""

import html
import re
from dataclasses import dataclass

MAX_LENGTH = 200
START, STOP, LT, GT, DOT, LOW, DASH = (chr(0xE000 + n) for n in range(7))
_PRIVATE = START + STOP + LT + GT + DOT + LOW + DASH
HEADLINE_FROM, HEADLINE_TO = "<>" + _PRIVATE, LT + GT
TITLE_FROM, TITLE_TO = "<>._-" + _PRIVATE, LT + GT + DOT + LOW + DASH
_MARKERS = str.maketrans("", "", _PRIVATE)
_BACK = {LT: "&lt;", GT: "&gt;", DOT: ".", LOW: "_", DASH: "-", START: "<mark>", STOP: "</mark>"}

# The last word, typed or being typed, is matched as a prefix: a bare word of letters and digits
# at the very end, not negated (`-word`) and not inside a quoted phrase. One letter would match
# half the dictionary, so it takes two.
_LAST_WORD = re.compile(r"(?:^|(?<=\s))([^\W_]{2,})$")
_TERMS = re.compile(r"\S+")


@dataclass(frozen=True)
class SearchQuery:
    text: str
    head: str  # the text before the prefix term (all of it when there is none)
    prefix: str | None  # the last word, matched as a prefix (PostgreSQL)
    terms: tuple[str, ...]  # the words a row must contain (the simple matcher)
    excluded: tuple[str, ...]  # `-word`: words it must not contain (the simple matcher)


def parse(text: str) -> SearchQuery:
    text = " ".join(text.split())
    head, prefix = text, None
    found = _LAST_WORD.search(text)
    if found:
        before = text[: found.start()].rstrip()
        in_phrase = before.count('"') % 2 == 1
        after_or = before.lower().endswith(" or") or before.lower() == "or"
        if not in_phrase and not after_or:
            head, prefix = before, found.group(1)
    terms, excluded = [], []
    for raw in _TERMS.findall(text):
        negated = raw.startswith("-") and len(raw) > 1
        word = raw.lstrip("-").strip("\"'")
        if word and word.lower() != "or":
            (excluded if negated else terms).append(word)
    return SearchQuery(
        text=text, head=head, prefix=prefix, terms=tuple(terms), excluded=tuple(excluded)
    )


def strip_markers(value: str) -> str:
    return value.translate(_MARKERS)


def marked_html(value: str | None) -> str:
    """Escape `value`, then turn the highlight markers into `<mark>` tags."""
    if not value:
        return ""
    escaped = html.escape(value, quote=True)
    for private, text in _BACK.items():
        escaped = escaped.replace(private, text)
    return escaped


def mark_terms(value: str, terms) -> str:
    """`value` with every case-insensitive occurrence of a term between markers."""
    words = sorted({term for term in terms if term}, key=len, reverse=True)
    if not value or not words:
        return strip_markers(value or "")
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", strip_markers(value))


def excerpt(value: str, terms, *, width: int = 160) -> str:
    """About `width` characters of `value` around the first term found, cut at spaces."""
    value = " ".join((value or "").split())
    if len(value) <= width:
        return value
    lowered = value.lower()
    hits = [lowered.find(term.lower()) for term in terms]
    first = min((hit for hit in hits if hit >= 0), default=0)
    start = max(0, first - width // 3)
    if start:
        space = value.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(value), start + width)
    if end < len(value):
        space = value.rfind(" ", start, end)
        end = space if space > first else end
    return ("… " if start else "") + value[start:end].strip() + (" …" if end < len(value) else "")
