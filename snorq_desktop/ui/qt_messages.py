"""Qt's own warnings (qWarning, QML, platform plugins) into Python logging."""

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _to_logging(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    category = context.category or "default"
    log.log(_LEVELS.get(kind, logging.WARNING), "[%s] %s%s", category, message, where)


def route_qt_messages_to_logging() -> None:
    """Call once the QApplication exists."""
    qInstallMessageHandler(_to_logging)
