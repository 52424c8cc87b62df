# PyInstaller's own hook for this module, with the Qt plugins we leave out
# removed before their libraries are looked for (see snorq_build/qt_plugins.py).
from PyInstaller.utils.hooks.qt import add_qt6_dependencies
from snorq_build.qt_plugins import filtered

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = filtered(binaries)
datas = filtered(datas)
