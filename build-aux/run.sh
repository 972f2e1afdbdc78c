#!/bin/sh
# README command 1: build PhoneVerify and launch it from the build tree.
# Arguments are passed on to the app, e.g. build-aux/run.sh --version
set -eu
cd "$(dirname "$0")/.."

build-aux/install-deps.sh
[ -f _build/build.ninja ] || meson setup _build >/dev/null
meson compile -C _build >/dev/null

# Uninstalled, the app finds its GSettings schema in the build tree.
GSETTINGS_SCHEMA_DIR="$PWD/_build/data" exec _build/src/phone-verify "$@"
