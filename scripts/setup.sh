#!/usr/bin/env bash
# Set-up shared by `pnpm demo`, `pnpm test` and `pnpm bench`: install exactly what the lockfile says.
# It runs under pnpm (the README's commands start pnpm through npx), so pnpm is on PATH here.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1; then
  echo "pnpm is not on PATH; run this through the README's commands (npx -y pnpm@10 …)" >&2
  exit 1
fi
# Quiet when it works; when it fails, run it again with its output so the reason is on screen.
pnpm install --frozen-lockfile --prefer-offline --reporter=silent || pnpm install --frozen-lockfile --prefer-offline
