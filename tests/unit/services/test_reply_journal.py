"""The reply journal never blocks replies: whatever is on disk, the next reply is kept."""

import json
from datetime import UTC, datetime

import pytest

from snorq_desktop.services.reply_journal import JournalledReply, ReplyJournal


def reply(message_id: str = "m1") -> JournalledReply:
    return JournalledReply(
        message_id=message_id,
        conversation_id="c1",
        organization_id="o1",
        sender_id="u1",
        text="Your parcel left today",
        written_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )


def test_a_reply_survives_a_reopen(tmp_path):
    ReplyJournal(tmp_path / "journal.json").add(reply())
    assert ReplyJournal(tmp_path / "journal.json").replies() == [reply()]


@pytest.mark.parametrize(
    "content",
    [
        '{"message_id": "m0"}',  # an object, not a list
        "[1, 2, 3]",  # entries of another shape
        '[{"message_id": "m0"}]',  # an entry with fields missing
        '[{"message_id": 5, "conversation_id": "c", "organization_id": "o",'
        ' "sender_id": "u", "text": "t", "written_at": "2026-12-01T09:00:00+00:00"}]',
        # a newer version's entry, with a field this version does not know
        '[{"message_id": "m0", "conversation_id": "c", "organization_id": "o",'
        ' "sender_id": "u", "text": "t", "written_at": "2026-12-01T09:00:00+00:00",'
        ' "scheduled_for": "2026-12-02"}]',
        '[{"message_id": "m0", "conversation_id": "c", "organization_id": "o",'
        ' "sender_id": "u", "text": "t", "written_at": "not a time"}]',
        "{torn",
    ],
)
def test_a_journal_of_another_shape_is_set_aside_and_replies_go_on(tmp_path, content):
    path = tmp_path / "journal.json"
    path.write_text(content, encoding="utf-8")
    journal = ReplyJournal(path)

    journal.add(reply("m2"))

    assert journal.replies() == [reply("m2")]
    aside = [p for p in tmp_path.iterdir() if ".damaged" in p.name]
    assert len(aside) == 1
    assert aside[0].read_text(encoding="utf-8") == content  # kept for a person to look at
    json.loads(path.read_text(encoding="utf-8"))


def test_one_unreadable_entry_is_set_aside_alone_and_the_person_is_told(tmp_path):
    """A damaged entry beside readable ones: the readable replies stay to be
    sent (they were set aside with it), the file is kept, and the window hears
    a sentence saying so."""
    path = tmp_path / "journal.json"
    good = [reply("m1").to_json(), reply("m3").to_json()]
    content = json.dumps([good[0], {"message_id": "m2"}, good[1]])
    path.write_text(content, encoding="utf-8")
    told: list[str] = []
    journal = ReplyJournal(path, told=told.append)

    assert journal.replies() == [reply("m1"), reply("m3")]
    assert ReplyJournal(path).replies() == [reply("m1"), reply("m3")]  # kept on disk too
    [aside] = [p for p in tmp_path.iterdir() if ".damaged" in p.name]
    assert aside.read_text(encoding="utf-8") == content
    assert told == [
        f"1 of the replies written offline could not be read; it was kept as {aside} "
        "for you to look at. The other 2 will be sent as usual."
    ]
