"""Who the app acts as in an organisation."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    organization_id: str
    organization_name: str
    user_id: str
    user_name: str
