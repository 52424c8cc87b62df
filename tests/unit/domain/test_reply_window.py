"""The reply-window clocks (#17.5) at their edges: the instant a window closes,
the last hour, Messenger's human-agent days, TikTok's quota."""

from datetime import UTC, datetime, timedelta

import pytest

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.reply_window import (
    TIKTOK_REPLY_QUOTA,
    WindowState,
    refusal_at,
    reply_window,
)

LAST = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("platform", "length"),
    [(Platform.WHATSAPP, 24 * H), (Platform.TIKTOK, 48 * H), (Platform.FACEBOOK, 7 * 24 * H)],
)
def test_each_window_is_open_then_closing_in_its_last_hour_then_closed(platform, length):
    assert reply_window(platform, LAST, LAST).closes_at == LAST + length
    assert reply_window(platform, LAST, LAST + length - H - S).state is not WindowState.CLOSING
    assert reply_window(platform, LAST, LAST + length - H).state is WindowState.CLOSING
    assert reply_window(platform, LAST, LAST + length).state is WindowState.CLOSING  # still allowed
    assert reply_window(platform, LAST, LAST + length + S).state is WindowState.CLOSED


def test_messenger_after_a_day_replies_with_the_human_agent_tag_where_the_page_has_it():
    assert reply_window(Platform.FACEBOOK, LAST, LAST + 24 * H).state is WindowState.OPEN
    later = reply_window(Platform.FACEBOOK, LAST, LAST + 24 * H + S)
    assert later.state is WindowState.HUMAN_AGENT
    assert later.countdown(LAST + 24 * H + S) == "Human-agent reply window closes in 5 d 23 h"
    untagged = reply_window(Platform.FACEBOOK, LAST, LAST + 24 * H + S, human_agent_tag=False)
    assert untagged.state is WindowState.CLOSED
    assert untagged.closes_at == LAST + 24 * H
    closing = reply_window(Platform.FACEBOOK, LAST, LAST + 23 * H, human_agent_tag=False)
    assert closing.state is WindowState.CLOSING


def test_tiktok_closes_when_its_ten_replies_are_used_whatever_the_time():
    nine = reply_window(Platform.TIKTOK, LAST, LAST + H, replies_since=TIKTOK_REPLY_QUOTA - 1)
    assert (nine.state, nine.replies_left) == (WindowState.OPEN, 1)
    assert nine.countdown(LAST + H) == "Reply window closes in 47 h · 1 of 10 replies left"
    ten = reply_window(Platform.TIKTOK, LAST, LAST + H, replies_since=TIKTOK_REPLY_QUOTA)
    assert (ten.state, ten.quota_used) == (WindowState.CLOSED, True)
    assert "10 replies" in ten.countdown(LAST + H)
    assert "they are used" in (
        refusal_at(Platform.TIKTOK, LAST, LAST + H, replies_since=TIKTOK_REPLY_QUOTA) or ""
    )


def test_the_countdown_in_the_words_the_header_shows():
    window = reply_window(Platform.WHATSAPP, LAST, LAST)
    now = LAST + 24 * H - (3 * H + 12 * timedelta(minutes=1))
    assert window.countdown(now) == "Reply window closes in 3 h 12 min"
    assert window.countdown(LAST + 24 * H - 30 * S) == "Reply window closes in less than a minute"
    assert window.countdown(LAST + 23 * H) == "Reply window closes in 1 h"
    closed = reply_window(Platform.WHATSAPP, LAST, LAST + 25 * H)
    assert closed.countdown(LAST + 25 * H) == "Closed – WhatsApp needs a template"
    never = reply_window(Platform.WHATSAPP, None, LAST)
    assert (never.state, never.closes_at) == (WindowState.CLOSED, None)
    assert "customer writes" in reply_window(Platform.TIKTOK, None, LAST).countdown(LAST)


def test_a_reply_due_after_the_window_is_refused_with_a_sentence_and_a_template_is_not():
    assert refusal_at(Platform.WHATSAPP, LAST, LAST + 24 * H) is None
    late = refusal_at(Platform.WHATSAPP, LAST, LAST + 24 * H + S)
    assert late is not None
    assert "24 hours after the customer's last message" in late
    assert "template" in late
    assert refusal_at(Platform.WHATSAPP, LAST, LAST + 30 * H, template=True) is None
    assert refusal_at(Platform.WHATSAPP, None, LAST, template=True) is None
    assert refusal_at(Platform.FACEBOOK, LAST, LAST + 6 * 24 * H) is None
    messenger = refusal_at(Platform.FACEBOOK, LAST, LAST + 8 * 24 * H) or ""
    assert "7 days after" in messenger
    assert "write first" in (refusal_at(Platform.TIKTOK, None, LAST) or "")
