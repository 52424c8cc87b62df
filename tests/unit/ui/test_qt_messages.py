import logging

from PySide6.QtCore import QCoreApplication, qWarning

from snorq_desktop.ui.qt_messages import route_qt_messages_to_logging


def test_qt_warnings_reach_the_log(qapp: QCoreApplication, caplog):
    route_qt_messages_to_logging()
    with caplog.at_level(logging.DEBUG, logger="qt"):
        qWarning("a platform plugin is unhappy")
    assert any(
        r.name == "qt"
        and r.levelno == logging.WARNING
        and "platform plugin is unhappy" in r.message
        for r in caplog.records
    )
