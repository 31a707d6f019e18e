"""Secrets a job must keep until it runs (an export's password), sealed at rest with AES-256-GCM
under a key derived from SECRET_KEY, which every app server and worker shares. A sealed value is
opened with SECRET_KEY or any of SECRET_KEY_FALLBACKS (while a key is rotated)."""

import hashlib

from Cryptodome.Cipher import AES
from Cryptodome.Random import get_random_bytes
from django.conf import settings

_PURPOSE = b"powtracker.sealing.v1"
_NONCE = 12
_TAG = 16


def _key(secret: str) -> bytes:
    return hashlib.sha256(_PURPOSE + secret.encode()).digest()


def seal(value: str) -> bytes:
    """`value` encrypted and authenticated: nonce, ciphertext, tag. Empty stays empty."""
    if not value:
        return b""
    nonce = get_random_bytes(_NONCE)
    cipher = AES.new(_key(settings.SECRET_KEY), AES.MODE_GCM, nonce=nonce)
    ciphertext, tag = cipher.encrypt_and_digest(value.encode())
    return nonce + ciphertext + tag


def unseal(sealed: bytes) -> str:
    """The value `seal` sealed; ValueError if no key opens it (or it was altered)."""
    sealed = bytes(sealed)
    if not sealed:
        return ""
    nonce, ciphertext, tag = sealed[:_NONCE], sealed[_NONCE:-_TAG], sealed[-_TAG:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        cipher = AES.new(_key(secret), AES.MODE_GCM, nonce=nonce)
        try:
            return cipher.decrypt_and_verify(ciphertext, tag).decode()
        except ValueError:
            continue
    raise ValueError("No key opens this sealed value.")
