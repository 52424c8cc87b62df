import logging
import pickle
import re

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from snorq_desktop.domain.errors import TokenKeyMissing, TokenMisplaced, TokenUnreadable
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from tests.old_seals import unbound_seal

TOKEN = "EAAG-very-secret-page-token"
HERE = "platform_connections:conn-a:access_token"


def test_sealed_tokens_are_the_seeds_hex_form_bound_to_their_place():
    keys = KeySet.fresh()
    sealed = TokenCipher(keys).seal(SecretToken(TOKEN), HERE)
    marker, mark, version, iv, tag, ciphertext = sealed.split(":")
    assert (marker, version) == ("b1", f"k{keys.current}")
    assert re.fullmatch(r"[0-9a-f]{16}", mark)
    assert re.fullmatch(r"[0-9a-f]{32}", iv)
    assert re.fullmatch(r"[0-9a-f]{32}", tag)
    # AES-256-GCM over the seed's iv, authTag, hex ciphertext, with the place as
    # the associated data: with it it opens, without it it does not.
    data = bytes.fromhex(ciphertext) + bytes.fromhex(tag)
    plain = AESGCM(keys.current_key).decrypt(bytes.fromhex(iv), data, HERE.encode())
    assert plain.decode() == TOKEN
    with pytest.raises(InvalidTag):
        AESGCM(keys.current_key).decrypt(bytes.fromhex(iv), data, None)


def test_a_token_moved_to_another_row_or_column_is_refused_with_a_sentence():
    cipher = TokenCipher(KeySet.fresh())
    sealed = cipher.seal(SecretToken(TOKEN), HERE)
    for elsewhere in (
        "platform_connections:conn-b:access_token",
        "platform_connections:conn-a:refresh_token",
    ):
        with pytest.raises(TokenMisplaced, match="sealed for another connection") as caught:
            cipher.open(sealed, elsewhere)
        assert TOKEN not in str(caught.value)
        with pytest.raises(TokenMisplaced):
            cipher.reseal(sealed, elsewhere)
        with pytest.raises(TokenMisplaced):
            cipher.bind(sealed, elsewhere)
    # Rewriting the visible mark does not help: the associated data refuses.
    forged = sealed.replace(sealed.split(":")[1], "0" * 16)
    with pytest.raises(TokenUnreadable):
        cipher.open(forged, "platform_connections:conn-b:access_token")


def test_a_token_sealed_before_binding_opens_and_is_bound_under_its_own_key():
    keys = KeySet.fresh()
    old = unbound_seal(keys, TOKEN)
    rotating = TokenCipher(keys.with_new_key())  # a newer key exists: bind keeps the old one
    assert rotating.open(old, HERE).reveal() == TOKEN
    assert not rotating.is_bound(old)
    bound = rotating.bind(old, HERE)
    assert bound.startswith("b1:") and f":k{keys.current}:" in bound
    assert rotating.bind(bound, HERE) == bound
    assert TokenCipher(keys).open(bound, HERE).reveal() == TOKEN
    with pytest.raises(TokenMisplaced):
        TokenCipher(keys).open(bound, "platform_connections:conn-b:access_token")
    resealed = rotating.reseal(old, HERE)
    assert resealed.startswith("b1:") and f":k{keys.current + 1}:" in resealed


def test_each_seal_uses_a_fresh_iv():
    cipher = TokenCipher(KeySet.fresh())
    assert cipher.seal(SecretToken(TOKEN), HERE) != cipher.seal(SecretToken(TOKEN), HERE)


def test_a_tampered_token_is_refused_without_revealing_anything():
    cipher = TokenCipher(KeySet.fresh())
    sealed = cipher.seal(SecretToken(TOKEN), HERE)
    flipped = sealed[:-1] + ("0" if sealed[-1] != "0" else "1")
    with pytest.raises(TokenUnreadable, match="altered") as caught:
        cipher.open(flipped, HERE)
    assert TOKEN not in str(caught.value)
    assert flipped not in str(caught.value)


def test_a_token_sealed_with_an_unknown_key_version_names_the_version():
    old = KeySet.fresh()
    sealed = TokenCipher(old.with_new_key()).seal(SecretToken(TOKEN), HERE)
    with pytest.raises(TokenKeyMissing, match=f"k{old.current + 1}"):
        TokenCipher(old).open(sealed, HERE)


def test_garbage_is_refused_with_a_sentence():
    with pytest.raises(TokenUnreadable, match="sealed format"):
        TokenCipher(KeySet.fresh()).open("plain-text-token", HERE)


def test_rotation_keys_open_old_tokens_and_reseal_to_the_new_version():
    keys = KeySet.fresh()
    sealed = TokenCipher(keys).seal(SecretToken(TOKEN), HERE)
    newer = keys.with_new_key()
    rotated = TokenCipher(newer)
    assert rotated.open(sealed, HERE).reveal() == TOKEN
    resealed = rotated.reseal(sealed, HERE)
    assert resealed.startswith("b1:") and f":k{keys.current + 1}:" in resealed
    assert rotated.reseal(resealed, HERE) == resealed
    assert TokenCipher(newer.only_current()).open(resealed, HERE).reveal() == TOKEN
    with pytest.raises(TokenMisplaced):  # the rotation kept the binding
        TokenCipher(newer.only_current()).open(resealed, "platform_connections:conn-b:access_token")


def test_tokens_never_show_in_reprs_strings_or_logs(caplog):
    token = SecretToken(TOKEN)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info("token is %s / %r", token, token)
    assert TOKEN not in repr(token) + str(token) + f"{token}" + caplog.text
    assert TOKEN not in repr(KeySet.fresh()) + repr(TokenCipher(KeySet.fresh()))
    with pytest.raises(TypeError):
        pickle.dumps(token)
