"""An organisation's address (slug): proposed from its name, unique."""

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from snorq_desktop.store.models import Organization

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_from_name(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "team"


def free_slug(session: Session, wanted: str) -> str:
    """``wanted`` if no organisation uses it, else the first free ``wanted-2``, ``-3``…"""
    base = slug_from_name(wanted)
    taken = set(
        session.execute(
            select(Organization.slug).where(
                (Organization.slug == base) | Organization.slug.like(f"{base}-%")
            )
        ).scalars()
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
