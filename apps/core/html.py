"""Rich text from users: sanitized with nh3 (ammonia) to a small, safe subset of HTML."""

import html

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h1", "h2", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> str:
    """Keep formatting and links; drop scripts, handlers, styles and unknown tags."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def html_to_text(value: str) -> str:
    """The words of a fragment, for search and previews."""
    spaced = value.replace("<", " <")
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())
