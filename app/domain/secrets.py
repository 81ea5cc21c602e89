"""What is a secret in an OCPP frame, and the frame with its secrets masked (pure, no I/O).

A secret: anything named like a password, an authorization key or a private key, wherever it
appears (a ChangeConfiguration of AuthorizationKey, a SetVariables of BasicAuthPassword, a
GetConfiguration answer, a NotifyReport, a SetNetworkProfile's basicAuthPassword, a certificate's
private key, a password inside a URL). Used by the journal (what the app itself sends is never
stored in the clear), the report's trace, snapshots and exports.
"""

from __future__ import annotations

import json
import re
from typing import Any

MASK = "***"
SECRET_NAMES = ("password", "authorizationkey", "privatekey", "secret", "passphrase")
TEXT_SECRET = re.compile(r'("(?:[^"]*(?:password|authorizationkey|privatekey|secret|passphrase)[^"]*)"\s*:\s*)"[^"]*"',
                         re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(\w+://[^/@\s:]+):([^/@\s]+)@")
# Cheap first test on a raw frame: only a frame with one of these can carry a secret by name.
_HINTS = re.compile(r"password|authorizationkey|privatekey|secret|passphrase|PRIVATE KEY|://[^/@\s\"]*@",
                    re.IGNORECASE)


def is_secret(name: Any) -> bool:
    """A key, variable or field named like a password, an authorization key or a private key."""
    return isinstance(name, str) and any(s in name.lower().replace("_", "") for s in SECRET_NAMES)


def mask_text(text: str) -> str:
    """Secrets inside a string: a PEM private key, a password in a URL (ws://user:pw@host)."""
    if "PRIVATE KEY-----" in text:
        return MASK
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{MASK}@", text)


def mask(value: Any) -> Any:
    """A copy of a parsed frame with every secret replaced by ***."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask(v) for v in value]
    if not isinstance(value, dict):
        return value
    variable = value.get("variable")
    named = value.get("key") or value.get("name") or (variable.get("name") if isinstance(variable, dict) else None)
    secret_here = is_secret(named)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if is_secret(key) and not isinstance(item, (dict, list)):
            out[key] = MASK
        elif secret_here and key in ("value", "attributeValue"):
            out[key] = MASK
        elif secret_here and key == "variableAttribute" and isinstance(item, list):
            out[key] = [{**a, "value": MASK} if isinstance(a, dict) and "value" in a else a for a in item]
        else:
            out[key] = mask(item)
    return out


def masked_payload(payload: str) -> str:
    """A raw frame with its secrets masked; the same string when it has none (the common case, fast)."""
    if not _HINTS.search(payload):
        return payload
    try:
        parsed = json.loads(payload)
    except ValueError:
        return mask_text(TEXT_SECRET.sub(lambda m: m.group(1) + f'"{MASK}"', payload))
    cleaned = mask(parsed)
    return payload if cleaned == parsed else json.dumps(cleaned, ensure_ascii=False, separators=(",", ":"))
