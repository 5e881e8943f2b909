#!/usr/bin/env bash
# The docs check drives a real headless Chromium: Debian's package, never a browser download.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then exit 0; fi
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
  echo "Chromium is missing at $path and this user cannot install it (apt-get install chromium needs root)." >&2
  exit 1
fi
echo "installing Debian's chromium (for the docs browser check)…" >&2
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
[ -x "$path" ]
