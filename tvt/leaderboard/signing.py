"""Maintainer signatures on sealed entries (ed25519, the ``cryptography`` library).

A sealed entry proves nothing by itself: anyone can write a JSON file that claims a high score
and a commitment that a seed of their choosing satisfies. Only an entry whose ``signature`` was
made by a key whose public half sits in the leaderboard folder (``LEADERBOARD/keys/*.pub``, PEM)
ranks in the sealed tier; ``tvt eval --sign-key KEY`` signs, ``tvt leaderboard`` and ``tvt reveal``
check. The signature covers the canonical JSON of the whole entry except the signature itself and
the two fields ``tvt reveal`` fills in later (``sealed.seed`` and ``sealed.revealed``), so a revealed
entry keeps its signature and any other change breaks it.
"""

from __future__ import annotations

import copy
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tvt.errors import InputError
from tvt.jsonio import atomic_writer, dumps
from tvt.leaderboard.types import SealedEntry

ALGORITHM = "ed25519"
KEYS_SUBDIR = "keys"


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of the sha256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def generate_key(private_path: str | Path, public_path: str | Path) -> str:
    """Write a new ed25519 key pair (private PEM, mode 0600; public PEM); return its key id."""
    private_path, public_path = Path(private_path), Path(public_path)
    for p in (private_path, public_path):
        if p.exists():
            raise InputError("refusing to overwrite an existing key file", path=p)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    with atomic_writer(private_path) as fh:
        fh.write(pem)
    os.chmod(private_path, 0o600)
    with atomic_writer(public_path) as fh:
        fh.write(public_pem(key.public_key()))
    return key_id(key.public_key())


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """An ed25519 private key from a PEM file (unencrypted PKCS#8)."""
    path = Path(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise InputError("signing key not found", path=path, field="--sign-key") from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"not a PEM private key ({exc})", path=path, field="--sign-key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("the signing key must be ed25519", path=path, field="--sign-key")
    return key


def load_public_keys(folder: str | Path) -> dict[str, Ed25519PublicKey]:
    """The maintainer keys of a leaderboard folder: ``keys/*.pub`` (PEM), by key id."""
    keys: dict[str, Ed25519PublicKey] = {}
    kdir = Path(folder) / KEYS_SUBDIR
    if not kdir.is_dir():
        return keys
    for path in sorted(kdir.glob("*.pub")):
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError as exc:
            raise InputError(f"not a PEM public key ({exc})", path=path) from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError("a maintainer key must be ed25519", path=path)
        keys[key_id(key)] = key
    return keys


def signed_bytes(entry: SealedEntry) -> bytes:
    """What the signature covers: the entry without its signature and the fields reveal fills."""
    body = copy.deepcopy({k: v for k, v in entry.items() if k not in ("signature", "_file")})
    sealed = body.get("sealed")
    if isinstance(sealed, dict):
        sealed["seed"] = None
        sealed["revealed"] = None
    return dumps(body).encode()


def sign_entry(entry: SealedEntry, key: Ed25519PrivateKey) -> SealedEntry:
    """The entry with a ``signature`` block added (the input is not modified)."""
    value = key.sign(signed_bytes(entry)).hex()
    return {
        **entry,
        "signature": {"algorithm": ALGORITHM, "key_id": key_id(key.public_key()), "value": value},
    }


def signature_status(
    entry: SealedEntry, keys: dict[str, Ed25519PublicKey], path: str | Path | None = None
) -> str:
    """``signed`` (a maintainer key signed this exact entry) or ``unsigned``.

    An entry signed by a key that is not in the folder counts as unsigned (self-run). A signature
    by a maintainer key that does not verify means the entry was changed after signing: refused.
    """
    sig = entry.get("signature")
    if sig is None:
        return "unsigned"
    if not isinstance(sig, dict) or sig.get("algorithm") != ALGORITHM:
        raise InputError("signature must be an ed25519 block", path=path, field="signature")
    key = keys.get(str(sig.get("key_id")))
    if key is None:
        return "unsigned"
    try:
        key.verify(bytes.fromhex(str(sig.get("value", ""))), signed_bytes(entry))
    except (InvalidSignature, ValueError):
        raise InputError(
            f"the signature by maintainer key {sig.get('key_id')} does not verify: the entry "
            "was changed after it was signed",
            path=path,
            field="signature",
        ) from None
    return "signed"
