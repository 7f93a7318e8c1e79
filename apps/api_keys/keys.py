"""The key text: `pk_<prefix>_<secret>`. The prefix finds the row (and is what lists show); only
a hash of the secret is stored.

SHA-256 and not a password hasher: the secret is 256 random bits from `secrets`, so there is
nothing to guess and no dictionary to run; a stolen hash is as hard to reverse as the secret is
to guess. Slow hashers (PBKDF2, Argon2) exist to stretch low-entropy human passwords, and would
cost every API request tens of milliseconds for no gain here.
"""

import hashlib
import hmac
import re
import secrets

KEY_PREFIX = "pk"
_PREFIX_BYTES = 8  # 16 hex characters: unique in practice, and the database makes sure
_SECRET_BYTES = 32
_KEY = re.compile(
    rf"{KEY_PREFIX}_(?P<prefix>[0-9a-f]{{{_PREFIX_BYTES * 2}}})_(?P<secret>[A-Za-z0-9_-]{{20,100}})"
)


def new_prefix() -> str:
    return secrets.token_hex(_PREFIX_BYTES)


def new_secret() -> str:
    return secrets.token_urlsafe(_SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret).encode(), secret_hash.encode())


def key_text(prefix: str, secret: str) -> str:
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def split_key(text: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    match = _KEY.fullmatch(text)
    if match is None:
        return None
    return match["prefix"], match["secret"]
