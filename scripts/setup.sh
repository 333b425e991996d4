#!/usr/bin/env bash
# Installs what Postern needs on a fresh Debian machine, skipping what is already there:
# npm packages, and for the tests Debian's chromium, OpenSSH, xrdp with xorgxrdp (and fuse, for files pasted into
# its sessions), FreeRDP's shadow server and client under Xvfb, websockify and PostgreSQL.
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test" ]; then
  # Debian package → a file that shows it is installed.
  declare -A want=(
    [chromium]=/usr/bin/chromium
    [openssh-server]=/usr/sbin/sshd
    [openssh-client]=/usr/bin/ssh-keygen
    [xrdp]=/usr/sbin/xrdp
    [xorgxrdp]=/usr/lib/xorg/modules/drivers/xrdpdev_drv.so
    [websockify]=/usr/bin/websockify
    [openssl]=/usr/bin/openssl
    [xterm]=/usr/bin/xterm
    [x11-utils]=/usr/bin/xwininfo
    [x11-xserver-utils]=/usr/bin/xsetroot
    [xclip]=/usr/bin/xclip
    [python3-cryptography]=/usr/lib/python3/dist-packages/cryptography
    [postgresql]=/usr/lib/postgresql
    [openssh-sftp-server]=/usr/lib/openssh/sftp-server
    [xvfb]=/usr/bin/Xvfb
    [freerdp2-shadow-x11]=/usr/bin/freerdp-shadow-cli
    [freerdp2-x11]=/usr/bin/xfreerdp
    [fuse]=/bin/fusermount
  )
  missing=()
  for pkg in "${!want[@]}"; do [ -e "${want[$pkg]}" ] || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# npm packages, when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
