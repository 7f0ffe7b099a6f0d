"""API key material: generation and hashing. Keys are shown once and stored only as a hash."""

import hashlib
import secrets

KEY_PREFIX = "rsk_"


def generate_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)  # 32 random bytes


def hash_api_key(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def display_prefix(key: str) -> str:
    return key[:12]
