"""A note written beside a live conversation never reaches the platform: a full
sync pass against the fake WhatsApp sends the reply written with it, and only that."""

from snorq_desktop.store import notes, outbox
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.world import PHONE


def test_a_sync_pass_sends_the_reply_and_never_the_note(world):
    world.meta.customer_writes(PHONE, "447700900123", "Is the blue dress available?", name="Ana")
    assert world.run_pass().stored == 1
    [(conversation,)] = world.sql("SELECT id FROM conversations")
    with unit_of_work(world.sessions) as session:
        notes.add_note(session, world.org, conversation, world.owner, "VIP: give her 10 % off")
    world.reply("447700900123", "Yes! Size M?")
    report = world.run_pass()
    assert report.sent == 1
    assert [sent["text"] for sent in world.meta.sent] == ["Yes! Size M?"]
    world.run_pass()
    assert len(world.meta.sent) == 1
    assert world.sql("SELECT count(*) FROM messages WHERE content LIKE '%VIP%'") == [(0,)]
    with world.sessions() as session:
        connection = world.connections[next(iter(world.connections))]
        assert outbox.pending_replies(session, world.org, connection) == []
    assert world.sql("SELECT content FROM notes") == [("VIP: give her 10 % off",)]
