"""The left column: the inbox's views, each with its count, then the labels with theirs."""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from snorq_desktop.domain.inbox import VIEW_TITLES, InboxView, ViewCounts
from snorq_desktop.domain.labels import LabelInfo
from snorq_desktop.ui.icons import badge_icon, platform_icon_name

ViewRole = Qt.ItemDataRole.UserRole + 1
LabelIdRole = Qt.ItemDataRole.UserRole + 2
LabelColourRole = Qt.ItemDataRole.UserRole + 3
LABELS_HEADER = "Labels"
_ORDER = [
    InboxView.ALL,
    InboxView.UNREAD,
    InboxView.WHATSAPP,
    InboxView.FACEBOOK,
    InboxView.TIKTOK,
    InboxView.OPEN,
    InboxView.CLOSED,
    InboxView.ARCHIVED,
    InboxView.CLOSING_SOON,  # a free reply window closes within the hour (#17.5)
    InboxView.MINE,  # who's on it (#17.2)
    InboxView.UNASSIGNED,
    InboxView.SNOOZED,
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
    manage_labels_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.views = QStandardItemModel(self)
        for view in _ORDER:
            item = QStandardItem(VIEW_TITLES[view])
            item.setData(view.value, ViewRole)  # Qt hands back plain strings
            item.setEditable(False)
            if view.platform is not None:
                item.setIcon(badge_icon(platform_icon_name(view.platform)))
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
        header = QStandardItem(f"{LABELS_HEADER}  ⚙")
        header.setEditable(False)
        header.setSelectable(False)
        header.setToolTip("Create, rename, recolour and delete labels")
        font = self.font()
        font.setBold(True)
        header.setFont(font)
        self.views.appendRow(header)
        self._labels_header_row = len(_ORDER)

    def _chosen(self, index: QModelIndex) -> None:
        if index.row() == self._labels_header_row:
            self.manage_labels_requested.emit()
        elif index.data(LabelIdRole):
            self.view_chosen.emit(InboxView.ALL)  # a label's view: All, narrowed to it
        elif index.data(ViewRole):
            self.view_chosen.emit(InboxView(index.data(ViewRole)))

    def current_view(self) -> InboxView:
        value = self.currentIndex().data(ViewRole)
        return InboxView(value) if value else InboxView.ALL

    def current_label(self) -> str | None:
        """The label whose view is shown, or None."""
        value = self.currentIndex().data(LabelIdRole)
        return str(value) if value else None

    def select_label(self, label_id: str) -> None:
        for row in range(self._labels_header_row + 1, self.views.rowCount()):
            if self.views.item(row).data(LabelIdRole) == label_id:
                self.setCurrentIndex(self.views.index(row, 0))
                self.view_chosen.emit(InboxView.ALL)
                return

    def show_labels(self, labels: list[LabelInfo]) -> None:
        """The label rows below the header, each with its count; a label's view that
        was deleted falls back to All."""
        current = self.current_label()
        first = self._labels_header_row + 1
        rows = [(label, _label_text(label)) for label in labels]
        shown = [
            (
                self.views.item(row).data(LabelIdRole),
                self.views.item(row).text(),
                self.views.item(row).data(LabelColourRole),
            )
            for row in range(first, self.views.rowCount())
        ]
        if shown == [(label.id, text, label.color) for label, text in rows]:
            return
        self.views.removeRows(first, self.views.rowCount() - first)
        for label, text in rows:
            item = QStandardItem(text)
            item.setEditable(False)
            item.setData(label.id, LabelIdRole)
            item.setData(label.color, LabelColourRole)
            item.setIcon(label_dot(label.color))
            item.setToolTip(f"Conversations labelled “{label.name}”")
            self.views.appendRow(item)
        if current is not None:
            if any(label.id == current for label in labels):
                for row in range(first, self.views.rowCount()):
                    if self.views.item(row).data(LabelIdRole) == current:
                        self.setCurrentIndex(self.views.index(row, 0))  # the same view
            else:
                self.setCurrentIndex(self.views.index(0, 0))
                self.view_chosen.emit(InboxView.ALL)

    def select(self, view: InboxView) -> None:
        self.setCurrentIndex(self.views.index(_ORDER.index(view), 0))
        self.view_chosen.emit(view)

    def show_counts(self, counts: ViewCounts) -> None:  # the views above the labels
        for row, view in enumerate(_ORDER):
            count = counts.counts.get(view, 0)
            text = VIEW_TITLES[view] + (f"  {count:,}" if count else "")
            item = self.views.item(row)
            if item.text() != text:
                item.setText(text)


def _label_text(label: LabelInfo) -> str:
    return label.name + (f"  {label.conversations:,}" if label.conversations else "")


def label_dot(colour: str) -> QIcon:
    pixmap = QPixmap(20, 20)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(4, 4, 12, 12)
    painter.end()
    return QIcon(pixmap)
