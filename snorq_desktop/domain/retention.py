"""What a FREE organisation is told about its 30-day history."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionNotice:
    past_boundary: int  # messages a purge would remove now
    purge_from: datetime | None  # the first purge's earliest time; None: not warned yet
    purged_before: bool  # a purge has already run for this organisation

    def sentence(self, now: datetime) -> str:
        count = f"{self.past_boundary:,} message{'s' if self.past_boundary != 1 else ''}"
        if self.purged_before:
            return (
                f"The Free plan keeps 30 days of messages: {count} older than that will be "
                "removed today. Upgrade to Pro to keep your whole history."
            )
        when = "in about a week"
        if self.purge_from is not None:
            when = "today" if self.purge_from <= now else f"from {self.purge_from:%-d %B}"
        return (
            f"The Free plan keeps 30 days of messages: {count} older than that will be "
            f"removed {when}. Upgrade to Pro or Business to keep them, or back them up first "
            "(File ▸ Back up…)."
        )
