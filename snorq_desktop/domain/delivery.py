"""Delivery status only moves forward: PENDING < SENT < DELIVERED < READ.
FAILED is final, and READ implies DELIVERED."""

from snorq_desktop.domain.enums import MessageStatus

_ORDER = {
    MessageStatus.PENDING: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
}


def moves_forward(current: MessageStatus, new: MessageStatus) -> bool:
    if current is MessageStatus.FAILED or current == new:
        return False
    if new is MessageStatus.FAILED:
        return current in (MessageStatus.PENDING, MessageStatus.SENT)
    return _ORDER[new] > _ORDER[current]


# The same order as a number, for set-based updates in SQL: a status may replace
# another only with a higher rank, and nothing replaces FAILED.
STATUS_RANK = {
    MessageStatus.PENDING: 0,
    MessageStatus.SENT: 10,
    MessageStatus.FAILED: 15,
    MessageStatus.DELIVERED: 20,
    MessageStatus.READ: 30,
}
