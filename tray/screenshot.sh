#!/usr/bin/env bash
# Writes dist/screenshot-tray.png: mindful's tray icon with its menu open,
# as a person sees it. Everything runs privately: an Xvfb display, a D-Bus
# session bus, trayer as the notification area (with no
# StatusNotifierWatcher, ayatana-appindicator falls back to an XEmbed icon
# that trayer shows), and `mindful run` on a temp data dir. xdotool opens
# the menu; ImageMagick's import takes the picture.
# Usage (from the repo root): make screenshot
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/screenshot-tray.png}

pkgs=(xvfb dbus-daemon trayer xdotool imagemagick fonts-dejavu-core libgtk-3-dev libayatana-appindicator3-dev pkg-config gcc)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "screenshot: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "screenshot: missing Debian packages: ${missing[*]} — sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d /tmp/mindful-screenshot.XXXXXX)
pids=()
cleanup() {
  # Children first (mindful last started), each by its own pid.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# waitfor SECONDS DESCRIPTION COMMAND...: run COMMAND until it succeeds.
waitfor() {
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then echo "screenshot: no $what within ${secs}s" >&2; [ -f "$tmp/mindful.log" ] && cat "$tmp/mindful.log" >&2; exit 1; fi
    sleep 0.1
  done
}

go build -o "$tmp/mindful" ./cmd/mindful

Xvfb -displayfd 3 -nolisten tcp -screen 0 1024x640x24 3>"$tmp/display" 2>"$tmp/xvfb.log" &
pids+=($!)
waitfor 20 "X display" test -s "$tmp/display"
export DISPLAY=":$(head -n1 "$tmp/display")"

dbus-daemon --session --nofork --nopidfile --print-address=1 >"$tmp/bus" 2>"$tmp/bus.log" &
pids+=($!)
waitfor 20 "session bus" test -s "$tmp/bus"
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$tmp/bus")
mkdir -p "$tmp/tmp" "$tmp/run" && chmod 700 "$tmp/run"
export DBUS_SESSION_BUS_ADDRESS NO_AT_BRIDGE=1 GDK_BACKEND=x11 TMPDIR="$tmp/tmp" XDG_RUNTIME_DIR="$tmp/run"
unset WAYLAND_DISPLAY

trayer --edge top --align right --widthtype request --height 40 --iconspacing 4 \
  --transparent false --tint 0x1f2937 --SetDockType true --SetPartialStrut true >"$tmp/trayer.log" 2>&1 &
pids+=($!)
waitfor 20 "trayer window" xdotool search --onlyvisible --class trayer

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 27718)
export MINDFUL_ADDR="127.0.0.1:$port" MINDFUL_DATA_DIR="$tmp/data"
"$tmp/mindful" run >"$tmp/mindful.log" 2>&1 &
pids+=($!)
waitfor 30 "tray icon" grep -q "tray icon shown" "$tmp/mindful.log"

# Something to show: a break running, and a scheduled one to start early.
"$tmp/mindful" schedule add --once "$(date -d '+3 hours' '+%Y-%m-%d %H:00')" "$(date -d '+4 hours' '+%Y-%m-%d %H:00')" --name Evening >/dev/null
"$tmp/mindful" break start --for 1h >/dev/null

# Open the menu: click the icon in trayer, then the "Take a break" submenu
# with the keyboard (GTK skips the disabled status lines).
tw=$(xdotool search --onlyvisible --class trayer | head -n1)
eval "$(xdotool getwindowgeometry --shell "$tw")"
waitfor 10 "icon in trayer" test "$(xdotool getwindowgeometry --shell "$tw" | sed -n 's/^WIDTH=//p')" -gt 8
eval "$(xdotool getwindowgeometry --shell "$tw")"
sleep 1 # let the icon draw
xdotool mousemove $((X + WIDTH / 2)) $((Y + HEIGHT / 2)) click 1
waitfor 10 "open menu" xdotool search --onlyvisible --classname mindful
sleep 0.3
xdotool key Down Right
sleep 0.7

mkdir -p "$(dirname "$out")"
import -window root "$tmp/root.png"
# Keep the part with the icon and the menu (the rest is the empty screen).
convert "$tmp/root.png" -trim +repage -bordercolor black -border 12 "$out"
echo "screenshot: wrote $out" >&2
