#!/usr/bin/env bash
# Installs what Locust Studio's build, tests and demo need on a fresh Debian machine: Debian packages, npm packages, code-server.
# Usage: scripts/setup.sh [--no-code-server]
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

# Node 20.19+ runs the build, the tests and the extension host side of the tests.
node_version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "Locust Studio needs Node.js 20.19 or newer (found: ${node_version}). On Debian: apt-get install nodejs from NodeSource, or use nvm." >&2
  exit 1
fi

# Debian packages: a real Locust (2.12.1, with Locust's own examples: the model oracle's corpus) and debugpy for the
# runner tests, Chromium for the panel and e2e tests, libkrb5-dev for code-server's native modules, python3-venv for the
# PyPI Locusts when no other Python 3.11+ has venv, iproute2 and openssh-server (its sshd only: the tests start one per
# network namespace, never the machine's service) for the tests of workers on other hosts.
packages=(python3-locust python3-debugpy chromium libkrb5-dev python3-venv iproute2 openssh-server openssh-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm packages, reinstalled only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# Locust from PyPI as users run it (the versions pinned in scripts/locustVersions.ts), each with debugpy in a virtual
# environment of its own in the cache folder; the runner tests run on these and on Debian's.
node --import tsx scripts/locustVersions.ts install

if [ "${1:-}" != "--no-code-server" ]; then
  node --import tsx scripts/codeServer.ts install
fi
