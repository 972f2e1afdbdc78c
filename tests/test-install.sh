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
