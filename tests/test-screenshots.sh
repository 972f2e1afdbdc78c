#!/bin/sh
# The screenshots in the README and the metainfo are the app as it is: each must match the
# one the UI suite just rendered, at the same size, but for a few pixels (a clock, a
# cursor). Fails with the ones to refresh with build-aux/update-screenshots.sh.
#
# Usage: test-screenshots.sh SOURCE_DIR SCREENSHOTS_DIR
set -u
source_dir=$1
shots=$2
# Parts per thousand of the pixels that may differ (beyond a 10 % colour fuzz): the times
# shown ("Today 07:13") change from run to run; a layout change moves far more. A third
# column in the sources, X0,Y0,X1,Y1, names a rectangle left out of the comparison: where a
# fresh random code is shown, as digits and as a QR code.
tolerance=10
failed=0
n=0

exec 3<"$source_dir/data/screenshots/sources"
work=$(mktemp -d "${TMPDIR:-/tmp}/pv-screenshots.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
while read -r shown taken masked <&3; do
  case "$shown" in ''|'#'*) continue ;; esac
  n=$((n + 1))
  committed="$source_dir/data/screenshots/$shown"
  rendered="$shots/$taken"
  if [ ! -f "$rendered" ]; then
    echo "not ok $n - $shown: the UI suite did not render $taken"
    failed=1
    continue
  fi
  size_a=$(identify -format '%wx%h' "$committed")
  size_b=$(identify -format '%wx%h' "$rendered")
  if [ "$size_a" != "$size_b" ]; then
    echo "not ok $n - $shown is $size_a, the suite renders $taken at $size_b"
    failed=1
    continue
  fi
  width=${size_a%x*}
  height=${size_a#*x}
  if [ -n "$masked" ]; then
    convert "$committed" -fill black -draw "rectangle ${masked%,*,*},${masked#*,*,}" \
      "$work/committed.png"
    convert "$rendered" -fill black -draw "rectangle ${masked%,*,*},${masked#*,*,}" \
      "$work/rendered.png"
    committed="$work/committed.png"
    rendered="$work/rendered.png"
  fi
  differing=$(compare -metric AE -fuzz 10% "$committed" "$rendered" null: 2>&1 | cut -d' ' -f1)
  limit=$((width * height * tolerance / 1000))
  if [ "${differing%.*}" -gt "$limit" ]; then
    echo "not ok $n - $shown differs from $taken in $differing pixels (at most $limit)"
    failed=1
  else
    echo "ok $n - $shown matches $taken ($differing pixels differ)"
  fi
done
echo "1..$n"
exit $failed
