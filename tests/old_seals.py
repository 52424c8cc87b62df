"""Tokens as the app sealed them before binding (#13.6): the seed's hex form
behind the key version, AES-GCM with no associated data."""

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from snorq_desktop.secrets.keys import KeySet


def unbound_seal(keys: KeySet, token: str) -> str:
    iv = os.urandom(16)
    sealed = AESGCM(keys.current_key).encrypt(iv, token.encode(), None)
    return f"k{keys.current}:{iv.hex()}:{sealed[-16:].hex()}:{sealed[:-16].hex()}"
