#!/bin/sh
# Refreshes the screenshots the README and the AppStream metainfo show, from the ones the
# UI tests take (run build-aux/test.sh first).
set -eu
cd "$(dirname "$0")/.."
shots=_build/tests/screenshots
mkdir -p data/screenshots
cp "$shots/register.png" data/screenshots/register.png
cp "$shots/verify.png" data/screenshots/verify.png
cp "$shots/verified.png" data/screenshots/verified.png
cp "$shots/customers-list.png" data/screenshots/customers.png
cp "$shots/preferences-filled.png" data/screenshots/preferences.png
echo "Updated data/screenshots/ from $shots"
