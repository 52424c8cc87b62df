"""A MEMBER asking to rename, recolour or delete a label hears why not (#13):
row-level security lets only an owner or admin change one, so to a member's
login the change touched no row, and the app used to say the label "no longer
exists" while it was still there (found running the window as a MEMBER)."""

import pytest

from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.store import labels
from tests.db import test_database_security as security
from tests.db.test_database_security import A, World
from tests.db.test_member_search import _session_as

world = security.world  # the two shops and their logins

ONLY_MANAGERS = "Only the organisation's owner or an admin can rename, recolour or delete a label"


def test_a_member_is_told_only_an_owner_or_admin_changes_labels(world: World) -> None:
    with _session_as(world, "member_a") as session:
        for change in (
            lambda: labels.rename_label(session, A, "lab_a", "Renamed"),
            lambda: labels.recolour_label(session, A, "lab_a", "#14b8a6"),
            lambda: labels.delete_label(session, A, "lab_a"),
        ):
            with pytest.raises(PermissionDenied, match=ONLY_MANAGERS):
                change()
            session.rollback()
        with pytest.raises(NotFound, match="no longer exists"):  # truly gone: still that
            labels.rename_label(session, A, "no-such-label", "Renamed")
        session.rollback()
    with _session_as(world, "admin_a") as session:
        labels.rename_label(session, A, "lab_a", "Renamed")
        labels.delete_label(session, A, "lab_a")
        session.rollback()
