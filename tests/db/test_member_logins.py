"""A member's own database login, through the services the window and the
command line use (#13.1): made by the invite, opened by the code once, given a
password of the joining app's own, and gone when the member is removed."""

from dataclasses import replace

import psycopg
import pytest
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from snorq_desktop.domain.enums import MemberRole, PlanType, Platform
from snorq_desktop.domain.errors import PermissionDenied
from snorq_desktop.secrets.invite_code import InviteCode, TeamAddress
from snorq_desktop.secrets.member_login import new_password
from snorq_desktop.services.team import TeamService
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.models import PlatformConnection
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.store.users import GoogleProfile


def _profile(name: str) -> GoogleProfile:
    return GoogleProfile(f"g-{name}", f"{name}@example.com", True, name.title(), None)


def _connects(url: URL) -> bool:
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(conninfo, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True


def test_a_member_joins_through_the_login_their_invite_made(database_url: URL) -> None:
    administrator = create_database_engine(database_url)
    address = TeamAddress(
        host=database_url.host or "127.0.0.1",
        port=database_url.port or 5432,
        database=database_url.database or "",
        user=database_url.username,
    )
    owner = TeamService(session_factory(administrator), address=address)
    maya_id, _ = owner.signed_in(_profile("maya"))
    shop = owner.create_organization(maya_id, "Maya's Shop", "maya")
    with unit_of_work(session_factory(administrator)) as session:
        orgs.change_plan(
            session, organization_id=shop.organization_id, actor_id=maya_id, plan=PlanType.PRO
        )
    code = InviteCode.parse(owner.invite(shop, "ben@example.com", MemberRole.MEMBER))
    assert code.opens_own_login

    first = database_url.set(username=code.address.user, password=code.login_password)
    joining = create_database_engine(first)
    chosen = new_password()
    ben = TeamService(session_factory(joining)).join(
        code, _profile("ben"), new_login_password=chosen
    )
    joining.dispose()
    assert ben.organization_id == shop.organization_id
    assert not _connects(first)  # the used code opens nothing any more

    own = create_database_engine(first.set(password=chosen))
    bens_app = TeamService(session_factory(own))
    team = bens_app.team(ben)
    assert {m.email: m.role for m in team.members} == {
        "maya@example.com": MemberRole.OWNER,
        "ben@example.com": MemberRole.MEMBER,
    }
    with pytest.raises(PermissionDenied, match="does not allow"):
        bens_app.change_role(ben, ben.user_id, MemberRole.ADMIN)
    with pytest.raises(PermissionDenied, match="another person"):
        bens_app.change_role(replace(ben, user_id=maya_id), ben.user_id, MemberRole.ADMIN)

    # A MEMBER adding a connection: the database's refusal is a sentence.
    with (
        pytest.raises(PermissionDenied, match="refused this"),
        unit_of_work(session_factory(own)) as session,
    ):
        session.add(
            PlatformConnection(
                organization_id=shop.organization_id,
                platform=Platform.TIKTOK,
                platform_user_id="bens-own",
                access_token="sealed",
            )
        )

    owner.remove(shop, ben.user_id)
    # Ben's app, still connected, is refused from its next statement on.
    with pytest.raises(DBAPIError), unit_of_work(session_factory(own)) as session:
        orgs.members_of(session, shop.organization_id)
    own.dispose()
    assert not _connects(first.set(password=chosen))
    administrator.dispose()
