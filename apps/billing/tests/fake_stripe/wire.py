"""The wire format: Stripe's form-encoded params in, checked and read; objects out, expanded
and paged."""

from __future__ import annotations

import re
import sys
import types
import typing
from typing import Any
from urllib.parse import parse_qsl

import typing_extensions

from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.store import _public

# -- params in ----------------------------------------------------------------------------------


_REQUEST_OPTIONS = frozenset(
    {
        "api_key",
        "stripe_version",
        "stripe_account",
        "stripe_context",
        "max_network_retries",
        "idempotency_key",
        "content_type",
        "headers",
    }
)

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")


def parse_form(query: str) -> dict[str, Any]:
    """Parse Stripe's form encoding (`items[0][price]=x`, `expand[]=y`) into dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        match = _KEY.fullmatch(key)
        parts = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])] if match else [key]
        node = root
        for depth, part in enumerate(parts):
            part = part or str(len(node))
            if depth == len(parts) - 1:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
    return {key: _listify(value) for key, value in root.items()}


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _listify(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


class _FreeForm:
    """Stands for the stripe package's UntypedStripeObject, only imported for type checkers."""

    def __class_getitem__(cls, item: Any) -> type:
        return dict


def _check_params(params: dict, params_type: type) -> None:
    """Refuse a parameter that the stripe package's param type does not declare, as Stripe does."""
    unknown = _unknown_in_typeddict(params, params_type, "")
    if unknown:
        raise StripeAPIError(
            400, f"Received unknown parameter: {unknown}", code="parameter_unknown", param=unknown
        )


def _unknown_in_typeddict(value: dict, params_type: type, path: str) -> str | None:
    namespace = {**vars(sys.modules[params_type.__module__]), "UntypedStripeObject": _FreeForm}
    declared = set(params_type.__annotations__) - (_REQUEST_OPTIONS if not path else set())
    for key, sub_value in value.items():
        name = f"{path}[{key}]" if path else key
        if key not in declared:
            return name
        unknown = _unknown_param(sub_value, params_type.__annotations__[key], namespace, name)
        if unknown:
            return unknown
    return None


def _unknown_param(value: Any, annotation: Any, namespace: dict, path: str) -> str | None:
    """Answer the first key under value that annotation does not declare; None when unsure."""
    try:
        if isinstance(annotation, typing.ForwardRef):
            annotation = annotation.__forward_arg__
        if isinstance(annotation, str):
            # Only the stripe package's own annotations are evaluated here.
            annotation = eval(annotation, namespace)
    except Exception:  # noqa: BLE001 - an annotation we cannot resolve is not checked
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.NotRequired, typing.Required, typing_extensions.NotRequired):
        return _unknown_param(value, args[0], namespace, path)
    options = args if origin in (typing.Union, types.UnionType) else (annotation,)
    if isinstance(value, dict):
        if any(option is dict or typing.get_origin(option) is dict for option in options):
            return None
        typed = [option for option in options if typing_extensions.is_typeddict(option)]
        found = [_unknown_in_typeddict(value, option, path) for option in typed]
        return None if not found or None in found else found[0]
    if isinstance(value, list):
        for option in options:
            if typing.get_origin(option) is list:
                for i, item in enumerate(value):
                    unknown = _unknown_param(
                        item, typing.get_args(option)[0], namespace, f"{path}[{i}]"
                    )
                    if unknown:
                        return unknown
    return None


def _required(params: dict, key: str, param: str | None = None) -> Any:
    if params.get(key) in (None, ""):
        param = param or key
        raise StripeAPIError(
            400, f"Missing required param: {param}.", code="parameter_missing", param=param
        )
    return params[key]


def _integer(params: dict, key: str, param: str | None = None) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeAPIError(
            400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param or key
        ) from None


def _boolean(params: dict, key: str, param: str | None = None) -> bool | None:
    value = params.get(key)
    if value is None or isinstance(value, bool):
        return value
    if value not in ("true", "false"):
        raise StripeAPIError(400, f"Invalid boolean: {value}", param=param or key)
    return value == "true"


def _choice(params: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(key)
    if value is not None and value not in allowed:
        raise StripeAPIError(400, f"Invalid {key}: must be one of {', '.join(allowed)}", param=key)
    return value


def _list(params: dict, key: str) -> list:
    value = params.get(key)
    if not isinstance(value, list):
        raise StripeAPIError(400, "Invalid array", param=key)
    return value


def _metadata(value: Any, current: dict | None = None, *, param: str = "metadata") -> dict:
    """Merge metadata as Stripe does: an empty value removes its key, metadata="" clears all."""
    if value is None:
        return dict(current or {})
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeAPIError(400, "Invalid object", param=param)
    merged = dict(current or {})
    for key, item in value.items():
        if item is None or item == "":
            merged.pop(key, None)
            continue
        item = str(item)
        if len(key) > 40 or len(item) > 500:
            raise StripeAPIError(
                400,
                "Metadata keys can have up to 40 characters and values up to 500 characters.",
                param=f"{param}[{key}]",
            )
        merged[key] = item
    if len(merged) > 50:
        raise StripeAPIError(400, "Metadata can have up to 50 keys.", param=param)
    return merged


# -- objects out ---------------------------------------------------------------------------------


class RenderingMixin:
    """Answer objects as the API does: `expand` applied, lists paged."""

    def _render(self, obj: dict, params: dict) -> dict:
        rendered = _public(obj)
        expand = params.get("expand") or []
        for i, path in enumerate(expand if isinstance(expand, list) else [expand]):
            self._expand(rendered, path.split("."), path, f"expand[{i}]")
        return rendered

    def _expand(self, obj: dict, path: list[str], full: str, param: str) -> None:
        key, rest = path[0], path[1:]
        if obj.get("object") == "list" and key == "data":
            for item in obj["data"]:
                if rest:
                    self._expand(item, rest, full, param)
            return
        includable = self._includables().get((obj.get("object"), key))
        if includable:
            obj[key] = includable(obj)
        elif key not in obj or not isinstance(obj[key], str | dict | type(None)):
            raise StripeAPIError(400, f"This property cannot be expanded ({full}).", param=param)
        elif isinstance(obj[key], str):
            found = self._find(obj[key])
            if found is None:
                raise StripeAPIError(
                    400, f"This property cannot be expanded ({full}).", param=param
                )
            obj[key] = _public(found)
        if rest and isinstance(obj[key], dict):
            self._expand(obj[key], rest, full, param)

    def _includables(self):
        return {
            ("invoice", "confirmation_secret"): self._confirmation_secret,
            ("checkout.session", "line_items"): self._checkout_line_items,
        }

    def _page(self, store: dict, wanted, params: dict, url: str) -> dict:
        """One page of a list, newest first, as Stripe's cursor pagination answers it."""
        limit = _integer(params, "limit")
        limit = 10 if limit is None else limit
        if not 1 <= limit <= 100:
            raise StripeAPIError(
                400,
                "Invalid integer: must be between 1 and 100",
                code="parameter_invalid_integer",
                param="limit",
            )
        ordered = [obj for obj in reversed(store.values()) if wanted(obj)]
        ids = [obj["id"] for obj in ordered]
        for cursor in ("starting_after", "ending_before"):
            if params.get(cursor) and params[cursor] not in ids:
                kind = url.rsplit("/", 1)[-1].rstrip("s")
                raise StripeAPIError(
                    400,
                    f"No such {kind}: '{params[cursor]}'",
                    code="resource_missing",
                    param=cursor,
                )
        if params.get("starting_after"):
            rest = ordered[ids.index(params["starting_after"]) + 1 :]
            page, has_more = rest[:limit], len(rest) > limit
        elif params.get("ending_before"):
            rest = ordered[: ids.index(params["ending_before"])]
            page, has_more = rest[-limit:], len(rest) > limit
        else:
            page, has_more = ordered[:limit], len(ordered) > limit
        return {"object": "list", "data": page, "has_more": has_more, "url": url}
