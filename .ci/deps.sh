#!/usr/bin/env bash
# Installs (as root, with apt-get) or names (otherwise) what `make run` and
# `make test` need on a Debian/Ubuntu machine. Usage: .ci/deps.sh run|test
set -euo pipefail
want=${1:-test}

missing_pkgs=()
problems=()

have() { command -v "$1" >/dev/null 2>&1; }

# Go 1.26+ (go.mod says so). Debian's golang package is older; Go >= 1.21
# fetches the right toolchain from the module proxy by itself.
if ! have go; then
  problems+=("Go is not installed or not on PATH: install Go 1.26 or newer from https://go.dev/dl/ (Debian's golang package is too old) and put its bin/ on PATH")
else
  gv=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
  major=${gv%%.*}; rest=${gv#*.}; minor=${rest%%.*}
  if [ "${major:-0}" -lt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -lt 21 ]; }; then
    problems+=("Go $gv is too old: install Go 1.26 or newer from https://go.dev/dl/")
  fi
fi

# cgo: SQLite (mattn/go-sqlite3) is compiled from C.
have gcc || missing_pkgs+=(gcc libc6-dev)
# cgo: the tray icon (getlantern/systray) links GTK 3 and
# ayatana-appindicator (`go build -tags notray` leaves it out).
have pkg-config || missing_pkgs+=(pkg-config)
{ have pkg-config && pkg-config --exists gtk+-3.0; } || missing_pkgs+=(libgtk-3-dev)
{ have pkg-config && pkg-config --exists ayatana-appindicator3-0.1; } || missing_pkgs+=(libayatana-appindicator3-dev)

if [ "$want" = test ]; then
  # The extension's unit tests use node's built-in test runner (node >= 18).
  if have node; then
    nv=$(node -p 'process.versions.node.split(".")[0]')
    [ "$nv" -ge 18 ] || problems+=("node $nv is too old for node --test: need 18 or newer (apt-get install nodejs)")
  else
    missing_pkgs+=(nodejs)
  fi
  # `make lint-ext` runs npm's web-ext from extension/node_modules.
  have npm || missing_pkgs+=(npm)
  # End-to-end tests drive Debian's real Chromium and Firefox ESR.
  [ -x /usr/lib/chromium/chromium ] || missing_pkgs+=(chromium)
  [ -x /usr/bin/firefox-esr ] || missing_pkgs+=(firefox-esr)
  # Fonts so that pages render text in headless Chromium.
  dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing_pkgs+=(fonts-dejavu-core)
  # The real tray test (tray/e2e): a private X server and session bus.
  have Xvfb || missing_pkgs+=(xvfb)
  have dbus-daemon || missing_pkgs+=(dbus)
  # The installer test validates the autostart entry; the .deb test uses dpkg-deb (dpkg).
  have desktop-file-validate || missing_pkgs+=(desktop-file-utils)
fi

if [ ${#missing_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "deps: installing ${missing_pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
  else
    problems+=("missing Debian packages: ${missing_pkgs[*]} — install them with: sudo apt-get install ${missing_pkgs[*]}")
  fi
fi

# web-ext and axe-core (pinned by extension/package-lock.json) from the npm
# registry: make lint-ext runs web-ext; the accessibility e2e test injects
# axe-core into the pages.
ext_dir="$(cd "$(dirname "$0")/.." && pwd)/extension"
if [ "$want" = test ] && [ ${#problems[@]} -eq 0 ] && { [ ! -x "$ext_dir/node_modules/.bin/web-ext" ] || [ ! -f "$ext_dir/node_modules/axe-core/axe.min.js" ]; }; then
  if have npm; then
    echo "deps: npm ci in extension/ (web-ext, axe-core)" >&2
    (cd "$ext_dir" && npm ci --no-audit --no-fund --loglevel=error) || problems+=("npm ci in extension/ failed: web-ext is needed by make lint-ext, axe-core by the accessibility test")
  else
    problems+=("npm is missing: install it with sudo apt-get install npm, then run npm ci in extension/")
  fi
fi

if [ ${#problems[@]} -gt 0 ]; then
  echo "mindful cannot ${want} yet:" >&2
  for p in "${problems[@]}"; do echo "  - $p" >&2; done
  exit 1
fi
