# Shared set-up for scripts/run and scripts/test: Debian packages that are missing, then .venv.
# Sourced, not run. Works as root, or as a user with sudo; on other systems it says what to install.

STUDIO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What the studio needs at run time: PortAudio, PulseAudio's client library (QtMultimedia),
# the ALSA->Pulse bridge, Qt's xcb libraries, and Xvfb for machines without a screen.
# libicu-dev, pkg-config, g++ and python3-dev build PyICU (PyPI has no Linux wheel of it).
RUN_PACKAGES="libportaudio2 libpulse0 libasound2-plugins libxcb-icccm4 libxcb-keysyms1 \
libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core \
xvfb xauth libicu-dev pkg-config g++ python3-dev"
# What the tests add: a private sound server, Secret Service, D-Bus tools, a keyboard driver
# for the window test, a screenshot tool, and the validators of the desktop files.
TEST_PACKAGES="pulseaudio pulseaudio-utils gnome-keyring libsecret-tools dbus-daemon dbus-bin \
xdotool imagemagick desktop-file-utils appstream ffmpeg"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

install_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "Not a Debian-style system: install these yourself if something is missing: $*"
        return 0
    fi
    local missing sudo=""
    missing=$(missing_packages "$@" | tr '\n' ' ')
    [ -z "${missing// /}" ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "Installing system packages: $missing"
    $sudo apt-get update -qq
    # One command, so pulseaudio and libasound2-plugins arrive together (see ENVIRONMENT notes).
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    say "Audio Studio needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)."
    return 1
}

# install_venv EXTRAS: create .venv and install the studio with the given extras, once per
# change of pyproject.toml.
install_venv() {
    local extras="$1" python venv="$STUDIO_ROOT/.venv" stamp
    python=$(find_python) || return 1
    if [ ! -x "$venv/bin/python" ]; then
        if ! "$python" -m venv "$venv" 2>/dev/null; then
            # Debian's own python3 keeps venv in a separate package.
            rm -rf "$venv"
            install_packages "python3-venv"
            "$python" -m venv "$venv"
        fi
    fi
    stamp="$(sha256sum "$STUDIO_ROOT/pyproject.toml" | cut -c1-16)-$extras"
    if [ "$(cat "$venv/.studio-installed" 2>/dev/null)" != "$stamp" ]; then
        say "Installing Python packages into .venv ($extras)"
        "$venv/bin/python" -m pip install -q --upgrade pip
        "$venv/bin/python" -m pip install -q -e "$STUDIO_ROOT[$extras]"
        echo "$stamp" >"$venv/.studio-installed"
    fi
}
