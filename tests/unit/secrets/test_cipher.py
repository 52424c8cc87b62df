import logging
import pickle
import re

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from snorq_desktop.domain.errors import TokenKeyMissing, TokenUnreadable
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet

TOKEN = "EAAG-very-secret-page-token"


def test_sealed_tokens_are_the_seeds_hex_form_behind_a_key_version():
    keys = KeySet.fresh()
    sealed = TokenCipher(keys).seal(SecretToken(TOKEN))
    version, iv, tag, ciphertext = sealed.split(":")
    assert version == f"k{keys.current}"
    assert re.fullmatch(r"[0-9a-f]{32}", iv)
    assert re.fullmatch(r"[0-9a-f]{32}", tag)
    # The seed's own decrypt (AES-256-GCM, iv, authTag, hex ciphertext) reads it.
    plain = AESGCM(keys.current_key).decrypt(
        bytes.fromhex(iv), bytes.fromhex(ciphertext) + bytes.fromhex(tag), None
    )
    assert plain.decode() == TOKEN


def test_each_seal_uses_a_fresh_iv():
    cipher = TokenCipher(KeySet.fresh())
    assert cipher.seal(SecretToken(TOKEN)) != cipher.seal(SecretToken(TOKEN))


def test_a_tampered_token_is_refused_without_revealing_anything():
    cipher = TokenCipher(KeySet.fresh())
    sealed = cipher.seal(SecretToken(TOKEN))
    flipped = sealed[:-1] + ("0" if sealed[-1] != "0" else "1")
    with pytest.raises(TokenUnreadable, match="altered") as caught:
        cipher.open(flipped)
    assert TOKEN not in str(caught.value)
    assert flipped not in str(caught.value)


def test_a_token_sealed_with_an_unknown_key_version_names_the_version():
    old = KeySet.fresh()
    sealed = TokenCipher(old.with_new_key()).seal(SecretToken(TOKEN))
    with pytest.raises(TokenKeyMissing, match=f"k{old.current + 1}"):
        TokenCipher(old).open(sealed)


def test_garbage_is_refused_with_a_sentence():
    with pytest.raises(TokenUnreadable, match="sealed format"):
        TokenCipher(KeySet.fresh()).open("plain-text-token")


def test_rotation_keys_open_old_tokens_and_reseal_to_the_new_version():
    keys = KeySet.fresh()
    sealed = TokenCipher(keys).seal(SecretToken(TOKEN))
    newer = keys.with_new_key()
    rotated = TokenCipher(newer)
    assert rotated.open(sealed).reveal() == TOKEN
    resealed = rotated.reseal(sealed)
    assert resealed.startswith(f"k{keys.current + 1}:")
    assert rotated.reseal(resealed) == resealed
    assert TokenCipher(newer.only_current()).open(resealed).reveal() == TOKEN


def test_tokens_never_show_in_reprs_strings_or_logs(caplog):
    token = SecretToken(TOKEN)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("token is %s / %r", token, token)
    assert TOKEN not in repr(token) + str(token) + f"{token}" + caplog.text
    assert TOKEN not in repr(KeySet.fresh()) + repr(TokenCipher(KeySet.fresh()))
    with pytest.raises(TypeError):
        pickle.dumps(token)
