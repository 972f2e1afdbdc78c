#!/bin/sh
# Runs tests/bench-ui, the Customers-list and main-thread benchmark, the way the UI tests run:
# in a virtual X server and a private D-Bus session with a throwaway keyring, with the test
# suite's settings (cairo renderer, memory GSettings, the C locale). Arguments go to
# bench-ui, e.g.
#
#   build-aux/bench-ui.sh --rows 1000000 [--data-dir DIR]
#
# --data-dir keeps the generated database between runs (filling a million takes a minute).
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-_build}

meson compile -C "$build" bench-ui >/dev/null

export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$(pwd)/$build/data" GIO_USE_VFS=local \
       GTK_A11Y=none NO_AT_BRIDGE=1 GDK_DEBUG=gl-disable GSK_RENDERER="${GSK_RENDERER:-cairo}" \
       LANG=C.UTF-8 LC_ALL= LC_TELEPHONE= LC_ADDRESS= \
       PHONE_VERIFY_TWILIO_API_URL=http://127.0.0.1:9/ TWILIO_ACCOUNT_SID= TWILIO_AUTH_TOKEN= \
       TWILIO_API_KEY_SID= TWILIO_API_KEY_SECRET= TWILIO_PHONE_NUMBER= \
       TWILIO_MESSAGING_SERVICE_SID=

# GLib's test mode prints debug messages as "# ..." lines: only the figures are kept.
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" \
  tests/keyring-session.sh "$build/tests/bench-ui" "$@" 2>&1 | grep -v -e '^#' -e '^dbus-daemon'

