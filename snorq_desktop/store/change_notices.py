"""Telling every app of the team what changed: a NOTIFY in the same transaction
as the change, so it is sent only if the change is committed.  Notifications
are not stored; an app that was away catches up with a query instead."""

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.team_notice import encode_notice, team_channel


def notify_changes(session: Session, organization_id: str, changes: Changes, origin: str) -> None:
    if changes:
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {
                "channel": team_channel(organization_id),
                "payload": encode_notice(organization_id, changes, origin),
            },
        )
