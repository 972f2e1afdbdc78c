#!/bin/sh
# Runs a command the way Flatpak runs an app, as far as our code and libsecret can tell:
# under bubblewrap, in a new root that has a /.flatpak-info naming the app, and with
# FLATPAK_ID set. Run it inside keyring-session.sh, whose session bus the command keeps.
#
#   tests/flatpak-sandbox.sh APP_ID COMMAND [ARGS...]
#
# The new root is a tmpfs with the host's top-level directories bound into it one by one,
# never the host's / itself: bubblewrap would then create /.flatpak-info on the real root,
# where every other test would see it. The network namespace stays the host's, because the
# session bus listens on an abstract socket (unix:tmpdir on dbus 1.14), and those belong to
# the network namespace. There is no Secret portal on that bus, so libsecret falls back to
# the Secret Service, as it does in a real Flatpak whose desktop has no portal.
#
# A machine where bubblewrap cannot make its namespaces fails the test, loudly: skipping it
# would leave the Flatpak branch untested without anyone noticing.
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 APP_ID COMMAND [ARGS...]" >&2
  exit 99
fi
app_id=$1
shift

if ! command -v bwrap >/dev/null 2>&1; then
  echo "$0: bwrap not found: install bubblewrap (build-aux/install-deps.sh --tests)" >&2
  exit 1
fi

# The host's tree: /usr and /etc read-only, as a runtime's are; where the session, its
# scratch directories and the build tree live, writable. /lib and friends are symlinks on a
# merged-/usr system and directories elsewhere.
tops=""
add_top () {
  case " $tops " in
    *" $1 "*) ;;
    *) tops="$tops $1" ;;
  esac
}
for top in usr etc bin sbin lib lib32 lib64 libx32 opt var run tmp root home; do
  add_top "$top"
done
# The top-level directory of the command, the build and source trees and the session's
# scratch directory, wherever the checkout is (/work, /builds, …).
for path in "$PWD" "$1" "${G_TEST_BUILDDIR-}" "${G_TEST_SRCDIR-}" "${KEYRING_SESSION_DIR-}"; do
  case $path in
    /?*) top=${path#/}; add_top "${top%%/*}" ;;
  esac
done
root="--tmpfs /"
for top in $tops; do
  if [ -L "/$top" ]; then
    root="$root --symlink $(readlink "/$top") /$top"
  elif [ -d "/$top" ]; then
    case $top in
      usr|etc|opt) root="$root --ro-bind /$top /$top" ;;
      *) root="$root --bind /$top /$top" ;;
    esac
  fi
done
# Flatpak's own choices where they matter here: a process namespace of its own, and no
# sandbox outliving the test when meson kills it.
root="$root --dev /dev --proc /proc --unshare-pid --die-with-parent"

# shellcheck disable=SC2086  # single words: top-level names and their links have no spaces
if ! bwrap $root -- true; then
  echo "$0: bubblewrap could not create a sandbox on this machine (its error is above)." >&2
  echo "$0: this test needs the namespaces Flatpak needs; it does not skip without them." >&2
  exit 1
fi

# The same keyfile Flatpak writes, cut down to what is read of it: its existence (GLib and
# libsecret) and the app's name.
# shellcheck disable=SC2086
exec bwrap $root --ro-bind-data 3 /.flatpak-info --setenv FLATPAK_ID "$app_id" -- "$@" 3<<INFO
[Application]
name=$app_id
INFO
