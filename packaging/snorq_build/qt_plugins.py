"""Which Qt plugins the bundle keeps: the PyInstaller hooks in packaging/hooks
filter here, before PyInstaller follows the plugins' library dependencies, so
a plugin left out brings none of its libraries either (eglfs brought
QtOpenGL, the GTK theme brought cairo and pango)."""

from pathlib import PurePath

from snorq_build.contents import QT_PLUGINS_KEPT


def plugin_kept(destination: str | PurePath, source: str | PurePath) -> bool:
    """True for everything but a Qt plugin outside QT_PLUGINS_KEPT."""
    parts = PurePath(destination).parts
    if "plugins" not in parts:
        return True
    folder = parts[parts.index("plugins") + 1] if len(parts) > parts.index("plugins") + 1 else ""
    name = PurePath(source).stem.removeprefix("lib")
    return name in QT_PLUGINS_KEPT.get(folder, ())


def filtered(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(source, folder) for source, folder in entries if plugin_kept(folder, source)]
