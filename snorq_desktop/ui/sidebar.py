"""The left column: the inbox's views, each with its count."""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from snorq_desktop.domain.inbox import VIEW_TITLES, InboxView, ViewCounts
from snorq_desktop.ui.icons import platform_icon_name, svg_icon

ViewRole = Qt.ItemDataRole.UserRole + 1
_ORDER = [
    InboxView.ALL,
    InboxView.UNREAD,
    InboxView.WHATSAPP,
    InboxView.FACEBOOK,
    InboxView.TIKTOK,
    InboxView.OPEN,
    InboxView.CLOSED,
    InboxView.ARCHIVED,
]


class _RoomyRows(QStyledItemDelegate):
    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), 34))


class Sidebar(QListView):
    """Signals:
    - ``view_chosen(object)``: the InboxView the user picked.
    """

    view_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.views = QStandardItemModel(self)
        for view in _ORDER:
            item = QStandardItem(VIEW_TITLES[view])
            item.setData(view.value, ViewRole)  # Qt hands back plain strings
            item.setEditable(False)
            if view.platform is not None:
                item.setIcon(svg_icon(platform_icon_name(view.platform)))
            self.views.appendRow(item)
        self.setModel(self.views)
        self.setItemDelegate(_RoomyRows(self))
        self.setIconSize(QSize(20, 20))
        self.setSpacing(1)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setCurrentIndex(self.views.index(0, 0))
        self.clicked.connect(self._chosen)
        self.activated.connect(self._chosen)
        self.setMinimumWidth(150)

    def _chosen(self, index: QModelIndex) -> None:
        self.view_chosen.emit(InboxView(index.data(ViewRole)))

    def current_view(self) -> InboxView:
        value = self.currentIndex().data(ViewRole)
        return InboxView(value) if value else InboxView.ALL

    def select(self, view: InboxView) -> None:
        self.setCurrentIndex(self.views.index(_ORDER.index(view), 0))
        self.view_chosen.emit(view)

    def show_counts(self, counts: ViewCounts) -> None:
        for row, view in enumerate(_ORDER):
            count = counts.counts.get(view, 0)
            text = VIEW_TITLES[view] + (f"  {count:,}" if count else "")
            item = self.views.item(row)
            if item.text() != text:
                item.setText(text)
