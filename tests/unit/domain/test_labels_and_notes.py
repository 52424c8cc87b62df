"""Label names, colours and notes as the person types them; the team notice
carries "labels changed" to the other apps."""

import pytest

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.labels import (
    MAX_LABEL_NAME,
    InvalidLabel,
    clean_colour,
    clean_label_name,
    label_key,
)
from snorq_desktop.domain.notes import MAX_NOTE_LENGTH, InvalidNote, clean_note
from snorq_desktop.domain.team_notice import encode_notice, read_notice


def test_a_label_name_is_trimmed_and_compared_without_case():
    assert clean_label_name("  Custom \t order\n") == "Custom order"
    assert label_key("VIP") == label_key("vip")
    with pytest.raises(InvalidLabel, match="needs a name"):
        clean_label_name(" \n ")
    with pytest.raises(InvalidLabel, match=f"at most {MAX_LABEL_NAME}"):
        clean_label_name("x" * (MAX_LABEL_NAME + 1))


def test_a_colour_is_hash_and_six_hex_digits():
    assert clean_colour(" #EF4444 ") == "#ef4444"
    for wrong in ("red", "#fff", "ef4444", "#ef44441"):
        with pytest.raises(InvalidLabel, match="not a colour"):
            clean_colour(wrong)


def test_a_note_needs_text_and_has_a_limit():
    assert clean_note("  Called her back \n") == "Called her back"
    with pytest.raises(InvalidNote):
        clean_note("   ")
    with pytest.raises(InvalidNote, match="at most"):
        clean_note("x" * (MAX_NOTE_LENGTH + 1))


def test_labels_changed_travels_in_the_team_notice_and_merges():
    changes = Changes(conversations=frozenset({"c1"})) | Changes(labels=True)
    assert changes.labels and changes
    assert Changes(labels=True)
    organisation, origin, heard = read_notice(encode_notice("o1", changes, "app-1"))
    assert (organisation, origin) == ("o1", "app-1")
    assert heard == changes
    _, _, plain = read_notice(encode_notice("o1", Changes(messages=frozenset({"c2"})), "a"))
    assert plain is not None and not plain.labels
