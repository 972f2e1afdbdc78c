#!/bin/sh
# Installs the Debian 12 packages PhoneVerify needs to build, run and test, when any are
# missing. As root it runs apt-get; otherwise it prints the exact line to run and fails.
#
#   build-aux/install-deps.sh          build and run
#   build-aux/install-deps.sh --tests  also everything the headless test suite uses, plain,
#                                      sanitized and fuzzed
set -eu

packages="meson ninja-build pkg-config gcc g++ libc6-dev gettext \
libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libgtk-4-bin libadwaita-1-dev \
libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libsqlite3-dev libpq-dev libphonenumber-dev \
libqrencode-dev iso-codes desktop-file-utils appstream librsvg2-common gnome-keyring dbus \
gsettings-desktop-schemas"

if [ "${1:-}" = "--tests" ]; then
  # No dbus-x11: it makes GDBus autolaunch stray buses whenever DISPLAY is set.
  packages="$packages xvfb xauth python3 imagemagick fonts-cantarell flatpak-builder"
  # The accessibility suite (tests/test-a11y.py): the AT-SPI bus and registry, Debian's
  # Python bindings for them, and xdotool to type as a keyboard would.
  packages="$packages at-spi2-core python3-pyatspi gir1.2-atspi-2.0 xdotool"
  # The sanitized runs (test.sh --sanitize, --fuzz): gcc and g++ bring AddressSanitizer and
  # UndefinedBehaviorSanitizer itself; the fuzz build needs clang, and libclang-rt-dev for
  # libFuzzer and clang's sanitizer runtimes (clang only recommends it).
  packages="$packages clang libclang-rt-dev"
  # The PostgreSQL store's tests start servers of their own (tests/pv-test-postgres.c) with
  # the server's initdb and pg_ctl, and the Python and shell tests check databases with psql.
  # Debian's postgresql package also creates and starts a cluster of its own on port 5432;
  # nothing uses it, and the tests' servers take other ports.
  packages="$packages postgresql postgresql-client"
  # tests/test-qr-code.c reads the QR codes it draws back with zbarimg.
  packages="$packages zbar-tools"
  # The secret-store-no-login-flatpak test runs the keyring tests under bwrap, with a
  # /.flatpak-info, as Flatpak runs the app.
  packages="$packages bubblewrap"
fi

missing=""
for package in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    "install ok installed") ;;
    *) missing="$missing $package" ;;
  esac
done

[ -z "$missing" ] && exit 0

line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "PhoneVerify needs these Debian packages. Run, as root:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi

echo "Installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
