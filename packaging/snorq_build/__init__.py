"""Helpers of `packaging/build.py` and the PyInstaller spec: what goes into the
bundle, the icon set, the templates of the other OSes' installers, and the
.deb.  Kept out of the app's package: nothing here ships."""
