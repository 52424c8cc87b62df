"""The window's business hours (Team ▸ Business hours…): read by every member,
saved by an owner or admin in one transaction that also tells the team (a
notice with no words in it: the other apps read the hours again)."""

from snorq_desktop.domain.business_hours import BusinessHours
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.services.shared_inbox import SharedInboxService
from snorq_desktop.store import automatic_replies
from snorq_desktop.store.unit_of_work import unit_of_work

_CHANGED = Changes(business_hours=True)


class BusinessHoursService(SharedInboxService):
    def read(self) -> BusinessHours | None:
        """None until an owner or admin first saves them (no automatic messages)."""
        with self._reads() as session:
            return automatic_replies.read_business_hours(session, self._acting_as().organization_id)

    def load(self) -> tuple[BusinessHours | None, bool]:
        """The hours (None: never saved) and whether this person may change them."""
        me = self._acting_as()
        with self._reads() as session:
            return (
                automatic_replies.read_business_hours(session, me.organization_id),
                automatic_replies.may_change(session, me.organization_id, me.user_id),
            )

    def save(self, hours: BusinessHours) -> Changes:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            automatic_replies.save_business_hours(session, me.organization_id, hours, me.user_id)
            return self._tell(session, _CHANGED)
