#!/bin/sh
# Runs a test inside a private D-Bus session with a throwaway gnome-keyring whose login
# keyring is created and unlocked with a known password, so libsecret talks to a real
# Secret Service without ever touching the developer's own keyring.
#
# KEYRING_SESSION_MODE=none leaves the bus without any Secret Service, to test how the
# app copes when the keyring is unavailable. KEYRING_SESSION_MODE=nologin starts the same
# gnome-keyring without creating or unlocking any keyring, as on a desktop whose login
# keyring was never made: the Secret Service answers, but there is no default keyring to
# store into, and no prompt can offer to create one.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pv-keyring.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
# Tells tests they are in a throwaway session (so clearing the keyring is harmless) and
# gives them a scratch directory that is removed with it.
export KEYRING_SESSION_DIR="$tmp"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL

mode=${KEYRING_SESSION_MODE:-unlocked}
case $mode in
  unlocked|none|nologin) ;;
  *) echo "$0: unknown KEYRING_SESSION_MODE $mode" >&2; exit 99 ;;
esac

# A session bus whose only services are the ones in $tmp/services.
write_session_conf () {
  mkdir -p "$tmp/services"
  cat > "$tmp/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$tmp</listen>
  <servicedir>$tmp/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
}

if [ "$mode" = none ]; then
  # No services at all: nothing can provide org.freedesktop.secrets.
  write_session_conf
  dbus-run-session --config-file="$tmp/session.conf" -- "$@" 2>"$tmp/stderr"
  rc=$?
else
  bus_config=""
  if [ "$mode" = nologin ]; then
    # Only gnome-keyring's own services (the daemon, and the prompter it asks to offer a
    # new login keyring), not the desktop's portals: under flatpak-sandbox.sh libsecret
    # looks for the Secret portal first, and must find none whatever this machine has
    # installed, as in a Flatpak on a desktop without one.
    write_session_conf
    for dir in $(printf %s "${XDG_DATA_DIRS:-/usr/local/share:/usr/share}:/usr/share" | tr : ' '); do
      for service in "$dir"/dbus-1/services/org.freedesktop.secrets.service \
                     "$dir"/dbus-1/services/org.gnome.keyring.*.service; do
        # The first directory wins, as on the standard bus.
        [ -f "$service" ] && [ ! -e "$tmp/services/${service##*/}" ] && cp "$service" "$tmp/services/"
      done
    done
    bus_config="--config-file=$tmp/session.conf"
  fi
  # The bus, and the keyring prompter it activates, must not see the developer's display:
  # an unlock prompt would pop up there and the test would wait for someone to answer it.
  # Headless, the prompt fails at once, as when it is dismissed. The test keeps the display.
  (
    export PV_KEYRING_DISPLAY="${DISPLAY-}" PV_KEYRING_WAYLAND_DISPLAY="${WAYLAND_DISPLAY-}"
    unset DISPLAY WAYLAND_DISPLAY
    export PV_KEYRING_MODE="$mode"
    # shellcheck disable=SC2086  # empty, or one word without spaces ($tmp is mktemp's)
    exec dbus-run-session $bus_config -- sh -c '
      if [ "$PV_KEYRING_MODE" = nologin ]; then
        # Started here rather than activated by the first call, so that a daemon that
        # cannot start is reported as such. Without --unlock it creates no keyring, and
        # HOME is fresh: there is none to find either.
        gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1 || exit 99
      else
        printf %s test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 99
      fi
      unset PV_KEYRING_MODE
      [ -n "$PV_KEYRING_DISPLAY" ] && export DISPLAY="$PV_KEYRING_DISPLAY"
      [ -n "$PV_KEYRING_WAYLAND_DISPLAY" ] && export WAYLAND_DISPLAY="$PV_KEYRING_WAYLAND_DISPLAY"
      unset PV_KEYRING_DISPLAY PV_KEYRING_WAYLAND_DISPLAY
      exec "$@"' sh "$@"
  ) 2>"$tmp/stderr"
  rc=$?
fi
grep -vE "^dbus-daemon\[|discover_other_daemon|fd limit" "$tmp/stderr" >&2
exit $rc
