#!/bin/sh
# Installs the build into a temporary DESTDIR, checks that every file lands in its standard
# place, and runs the installed binary. Prints TAP.
#
# Usage: test-install.sh BUILD_DIR
# The environment gives MESON, PYTHON, GLIB_COMPILE_SCHEMAS, LINGUAS_FILE, APP_ID, BINARY,
# GETTEXT_PACKAGE, VERSION_LINE, and the configured absolute BINDIR, DATADIR and LOCALEDIR.
set -u
build=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/pv-install.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
root="$work/root"

n=0
failed=0
ok () {
  n=$((n + 1))
  echo "ok $n - $*"
}
not_ok () {
  n=$((n + 1))
  failed=1
  echo "not ok $n - $*"
}
# check DESCRIPTION COMMAND...
check () {
  description=$1
  shift
  if "$@"; then ok "$description"; else not_ok "$description"; fi
}

# meson test has already built everything; rebuilding here would race the other tests.
if "$MESON" install -C "$build" --no-rebuild --destdir "$root" >"$work/install.log" 2>&1; then
  ok "meson install --destdir succeeds"
else
  not_ok "meson install --destdir succeeds"
  sed 's/^/# /' "$work/install.log"
  echo "1..$n"
  exit 1
fi

check "the binary is $BINDIR/$BINARY" test -x "$root$BINDIR/$BINARY"

for path in \
  "$DATADIR/applications/$APP_ID.desktop" \
  "$DATADIR/metainfo/$APP_ID.metainfo.xml" \
  "$DATADIR/icons/hicolor/scalable/apps/$APP_ID.svg" \
  "$DATADIR/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg" \
  "$DATADIR/glib-2.0/schemas/$APP_ID.gschema.xml"
do
  check "$path is installed" test -s "$root$path"
done

# Every language listed is installed. LINGUAS may list several per line, hence words;
# comments are not languages.
# shellcheck disable=SC2013
for lang in $(sed 's/#.*//' "$LINGUAS_FILE"); do
  path="$LOCALEDIR/$lang/LC_MESSAGES/$GETTEXT_PACKAGE.mo"
  check "$path is installed" test -s "$root$path"
done

# Nothing meson means to install is missing either.
"$MESON" introspect "$build" --installed >"$work/installed.json"
missing=$("$PYTHON" -c '
import json, os, sys
root, listing = sys.argv[1:3]
with open(listing) as f:
    for path in json.load(f).values():
        if not os.path.lexists(root + path):
            print(path)
' "$root" "$work/installed.json")
if [ -z "$missing" ]; then
  ok "every file in meson introspect --installed is installed"
else
  not_ok "every file in meson introspect --installed is installed"
  echo "$missing" | sed 's/^/# missing: /'
fi

# With DESTDIR set, meson skips gnome.post_install (glib-compile-schemas, gtk-update-icon-cache,
# update-desktop-database): compiling belongs to the package manager's trigger or to
# flatpak-builder, and a gschemas.compiled in a package would clash with every other package's.
schemas="$root$DATADIR/glib-2.0/schemas"
check "no gschemas.compiled is shipped in DESTDIR" test ! -e "$schemas/gschemas.compiled"
check "the installed schemas compile as a trigger would compile them" \
  "$GLIB_COMPILE_SCHEMAS" --strict --targetdir "$work" "$schemas"

# The desktop file and the metainfo point at what was installed.
desktop="$root$DATADIR/applications/$APP_ID.desktop"
check "the desktop file's Icon is the installed app icon" \
  grep -qx "Icon=$APP_ID" "$desktop"
check "the desktop file's Exec is the installed binary" \
  grep -qx "Exec=$BINARY" "$desktop"
check "the metainfo launches the installed desktop file" \
  grep -q "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" \
  "$root$DATADIR/metainfo/$APP_ID.metainfo.xml"

# What Flathub's review asks of the listing, beyond the validators: a short summary, colours
# for both styles, an honest content rating (the numbers go to Twilio), the developer named,
# and the newest release's notes for this version.
metainfo="$root$DATADIR/metainfo/$APP_ID.metainfo.xml"
summary=$(sed -n 's|.*<summary>\(.*\)</summary>.*|\1|p' "$metainfo" | head -n 1)
check "the metainfo's summary is under 35 characters ($summary)" \
  test -n "$summary" -a "$(printf '%s' "$summary" | wc -m)" -lt 35
check "the metainfo has branding colours for the light and the dark style" \
  sh -c 'grep -q "scheme_preference=\"light\">#" "$1" && grep -q "scheme_preference=\"dark\">#" "$1"' \
  sh "$metainfo"
check "the content rating declares that customers' data is shared" \
  grep -q '<content_attribute id="social-info">intense</content_attribute>' "$metainfo"
check "the metainfo names its developer" \
  grep -q -e '<developer_name>' -e '<developer id=' "$metainfo"
check "the newest release in the metainfo is this version" \
  sh -c 'grep -m 1 "<release " "$1" | grep -q "version=\"$2\""' sh "$metainfo" "$VERSION"
check "the desktop file says notifications are used" \
  grep -qx "X-GNOME-UsesNotifications=true" "$desktop"

# The installed binary answers --version without a display or a session bus.
version=$(env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
          "$root$BINDIR/$BINARY" --version 2>"$work/version.err")
status=$?
if [ $status -eq 0 ] && [ "$version" = "$VERSION_LINE" ]; then
  ok "$BINARY --version prints '$VERSION_LINE' without a display"
else
  not_ok "$BINARY --version prints '$VERSION_LINE' without a display"
  echo "# exit status $status, printed '$version'"
  sed 's/^/# /' "$work/version.err"
fi

echo "1..$n"
exit $failed
