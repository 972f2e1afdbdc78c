#!/bin/sh
# Refreshes the screenshots the README and the AppStream metainfo show, from the ones the
# UI tests take (run build-aux/test.sh first). data/screenshots/sources says which is which.
set -eu
cd "$(dirname "$0")/.."
shots=${BUILD:-_build}/tests/screenshots
grep -v '^#' data/screenshots/sources | while read -r shown taken; do
  [ -n "$shown" ] || continue
  cp "$shots/$taken" "data/screenshots/$shown"
done
echo "Updated data/screenshots/ from $shots"
