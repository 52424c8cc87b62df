"""Who may manage whom inside an organisation (the seed's MemberRole table)."""

from snorq_desktop.domain.enums import MemberRole

_RANK = {MemberRole.MEMBER: 0, MemberRole.ADMIN: 1, MemberRole.OWNER: 2}


def rank(role: MemberRole) -> int:
    return _RANK[role]


def can_manage_members(role: MemberRole) -> bool:
    """OWNER and ADMIN invite, change roles and remove; a MEMBER manages nobody."""
    return role in (MemberRole.OWNER, MemberRole.ADMIN)


def can_grant(actor: MemberRole, role: MemberRole) -> bool:
    """A manager grants roles up to their own, and OWNER only by a transfer."""
    return can_manage_members(actor) and role is not MemberRole.OWNER and rank(role) <= rank(actor)
