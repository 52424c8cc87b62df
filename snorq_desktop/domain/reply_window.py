"""How long a free reply stays open, per platform (#17.5), in plain Python.

- WhatsApp: 24 hours from the customer's last message; after that only an
  approved template may go out.
- Messenger: 24 hours, then up to 7 days with the HUMAN_AGENT tag when the
  page has it (a person answering a person); after that nothing.
- TikTok: 48 hours, and at most 10 of our messages until the customer writes
  again.

The clock on the thread, the warning on the row, the "Closing soon" view, the
refusal of a reply scheduled past the window and the outbox's check at send
time all ask this module, so they never disagree.  A reply at exactly the
closing instant is still allowed (the platform clients compare the same way).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from snorq_desktop.domain.enums import Platform

WHATSAPP_WINDOW = timedelta(hours=24)
MESSENGER_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
TIKTOK_WINDOW = timedelta(hours=48)
TIKTOK_REPLY_QUOTA = 10
# The Messenger client tags every reply past 24 hours HUMAN_AGENT
# (platforms/messenger_api.py), so the clocks count every page's window so.
MESSENGER_HUMAN_AGENT_TAG = True
# The row's warning and the "Closing soon" view: the last hour of a window.
CLOSING_SOON = timedelta(hours=1)


def free_window(platform: Platform, *, human_agent_tag: bool) -> timedelta:
    """How long after the customer's last message a reply may still go out."""
    if platform is Platform.WHATSAPP:
        return WHATSAPP_WINDOW
    if platform is Platform.TIKTOK:
        return TIKTOK_WINDOW
    return HUMAN_AGENT_WINDOW if human_agent_tag else MESSENGER_WINDOW


class WindowState(StrEnum):
    OPEN = "open"
    CLOSING = "closing"  # open, closing within the hour
    HUMAN_AGENT = "human_agent"  # Messenger past 24 h: replies go with the HUMAN_AGENT tag
    CLOSED = "closed"


@dataclass(frozen=True)
class ReplyWindow:
    """A conversation's reply window at one instant."""

    platform: Platform
    state: WindowState
    closes_at: datetime | None  # None: the customer never wrote (no window at all)
    replies_left: int | None = None  # TikTok's quota; None on the other platforms
    quota_used: bool = False

    @property
    def is_open(self) -> bool:
        return self.state is not WindowState.CLOSED

    def countdown(self, now: datetime) -> str:
        """The thread header's line: "Reply window closes in 3 h 12 min"."""
        if not self.is_open or self.closes_at is None:
            return f"Closed – {self.closed_sentence()}"
        left = _duration(self.closes_at - now)
        if self.state is WindowState.HUMAN_AGENT:
            line = f"Human-agent reply window closes in {left}"
        else:
            line = f"Reply window closes in {left}"
        if self.replies_left is not None:
            line += f" · {self.replies_left} of {TIKTOK_REPLY_QUOTA} replies left"
        return line

    def closed_sentence(self) -> str:
        """What a closed window means for the person replying."""
        if self.platform is Platform.WHATSAPP:
            return "WhatsApp needs a template"
        if self.quota_used:
            return f"TikTok allows {TIKTOK_REPLY_QUOTA} replies until the customer writes again"
        if self.closes_at is None:
            return f"{_NAMES[self.platform]} lets the business reply only after the customer writes"
        return f"{_NAMES[self.platform]} allows no reply until the customer writes again"


_NAMES = {Platform.WHATSAPP: "WhatsApp", Platform.FACEBOOK: "Messenger", Platform.TIKTOK: "TikTok"}


def reply_window(
    platform: Platform,
    last_inbound_at: datetime | None,
    now: datetime,
    *,
    replies_since: int = 0,
    human_agent_tag: bool = True,
) -> ReplyWindow:
    """The window at ``now``.  ``replies_since``: our messages since the customer's
    last one (TikTok's quota); ``human_agent_tag``: the Messenger page may tag."""
    left = None
    if platform is Platform.TIKTOK:
        left = max(TIKTOK_REPLY_QUOTA - replies_since, 0)
    if last_inbound_at is None:
        return ReplyWindow(platform, WindowState.CLOSED, None, left)
    closes_at = last_inbound_at + free_window(platform, human_agent_tag=human_agent_tag)
    if now > closes_at:
        return ReplyWindow(platform, WindowState.CLOSED, closes_at, left)
    if left == 0:
        return ReplyWindow(platform, WindowState.CLOSED, closes_at, 0, quota_used=True)
    if closes_at - now <= CLOSING_SOON:
        state = WindowState.CLOSING
    elif platform is Platform.FACEBOOK and now - last_inbound_at > MESSENGER_WINDOW:
        state = WindowState.HUMAN_AGENT
    else:
        state = WindowState.OPEN
    return ReplyWindow(platform, state, closes_at, left)


@dataclass(frozen=True)
class ReplyClock:
    """What a conversation's window depends on; the thread's countdown asks it
    again each minute with its own clock."""

    platform: Platform
    last_inbound_at: datetime | None
    replies_since: int = 0  # ours since the customer's last message (TikTok's quota)
    human_agent_tag: bool = True

    def at(self, now: datetime) -> ReplyWindow:
        return reply_window(
            self.platform,
            self.last_inbound_at,
            now,
            replies_since=self.replies_since,
            human_agent_tag=self.human_agent_tag,
        )

    def refusal_at(self, when: datetime, *, template: bool = False) -> str | None:
        return refusal_at(
            self.platform,
            self.last_inbound_at,
            when,
            replies_since=self.replies_since,
            human_agent_tag=self.human_agent_tag,
            template=template,
        )


def refusal_at(
    platform: Platform,
    last_inbound_at: datetime | None,
    when: datetime,
    *,
    replies_since: int = 0,
    human_agent_tag: bool = True,
    template: bool = False,
) -> str | None:
    """Why a reply going out at ``when`` would be refused, or None.  A WhatsApp
    template goes whatever the window."""
    if template and platform is Platform.WHATSAPP:
        return None
    window = reply_window(
        platform,
        last_inbound_at,
        when,
        replies_since=replies_since,
        human_agent_tag=human_agent_tag,
    )
    if window.is_open:
        return None
    name = _NAMES[platform]
    if window.quota_used:
        return (
            f"TikTok allows {TIKTOK_REPLY_QUOTA} replies until the customer writes again, "
            "and they are used."
        )
    if window.closes_at is None:
        return f"The customer has not written yet: {name} does not let the business write first."
    length = free_window(platform, human_agent_tag=human_agent_tag)
    hours = f"{length.days} days" if length.days > 2 else f"{length // timedelta(hours=1)} hours"
    sentence = (
        f"{name} allows replies for {hours} after the customer's last message, "
        "and that window is closed by then."
    )
    if platform is Platform.WHATSAPP:
        sentence += " Send an approved template instead."
    return sentence


def _duration(span: timedelta) -> str:
    """ "3 h 12 min", "5 d 3 h", "less than a minute": whole minutes, rounded down."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days < 2:  # "47 h", not "1 d 23 h": the windows are counted in hours
        days, hours = 0, hours + 24 * days
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
