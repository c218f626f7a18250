"""Per-operator API keys, stored hashed (scrypt with a per-key salt), never in clear.

A keys file is TOML::

    [[key]]
    name = "viettel-noc"        # who holds it (shown in logs, never the key)
    role = "operator"           # "operator": may change its own sites and cells; "planner": reads everything
    operator = "Viettel"        # for role "operator"
    salt = "…hex…"
    hash = "…hex…"

``coverage-planner api-key --name viettel-noc --role operator --operator Viettel --keys-file keys.toml``
creates a key, prints it once and appends its hashed entry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coverage import CoverageError
from coverage.layers.schemas import operators

ROLES = ("operator", "planner")
OPERATORS = tuple(operators())
_N, _R, _P = 2**14, 8, 1  # scrypt cost (RFC 7914 interactive parameters)


def hash_key(key: str, salt: bytes) -> bytes:
    """scrypt hash of an API key."""
    return hashlib.scrypt(key.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


@dataclass(frozen=True)
class ApiKey:
    """A hashed key and what it may do."""

    name: str
    role: str
    operator: str | None
    salt: bytes
    digest: bytes

    def matches(self, key: str) -> bool:
        return hmac.compare_digest(hash_key(key, self.salt), self.digest)


def load_keys(path: Path | None) -> list[ApiKey]:
    """The keys of a keys file (none without a file). Errors name the file, the entry and the field."""
    if path is None:
        return []
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CoverageError(f"{path}: cannot read API keys: {exc}") from exc
    keys, problems = [], []
    for n, entry in enumerate(doc.get("key", []), start=1):
        name = entry.get("name") or f"#{n}"
        role, op = entry.get("role"), entry.get("operator")
        if role not in ROLES:
            problems.append(f"key {name}: field 'role' must be one of {', '.join(ROLES)}")
            continue
        if role == "operator" and op not in OPERATORS:
            problems.append(f"key {name}: field 'operator' must be one of {', '.join(OPERATORS)}")
            continue
        try:
            salt, digest = bytes.fromhex(entry["salt"]), bytes.fromhex(entry["hash"])
        except (KeyError, ValueError, TypeError):
            problems.append(f"key {name}: fields 'salt' and 'hash' must be hex strings")
            continue
        keys.append(ApiKey(name, role, op if role == "operator" else None, salt, digest))
    if problems:
        raise CoverageError(f"{path}: " + "; ".join(problems))
    return keys


def new_key_entry(name: str, role: str, operator: str | None) -> tuple[str, str]:
    """A fresh random key and its TOML entry (hashed)."""
    if role not in ROLES:
        raise CoverageError(f"role must be one of {', '.join(ROLES)}")
    if role == "operator" and operator not in OPERATORS:
        raise CoverageError(f"operator must be one of {', '.join(OPERATORS)}")
    key = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    lines = ["[[key]]", f'name = "{name}"', f'role = "{role}"']
    if role == "operator":
        lines.append(f'operator = "{operator}"')
    lines += [f'salt = "{salt.hex()}"', f'hash = "{hash_key(key, salt).hex()}"', ""]
    return key, "\n".join(lines)
