#!/usr/bin/env bash
# Installs the Debian packages redline needs, skipping those already there.
# docs/dependencies.md says why each one is needed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config   # toolchain
  libgtest-dev                                          # tests
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev    # JSON, CLI, HTTP server
  libsimdjson-dev                                       # the chat requests of every step
  libcurl4-openssl-dev libssl-dev                       # HTTP client, SHA-256
  libzip-dev                                            # Inspect .eval logs (zip)
  bubblewrap                                            # the device's namespaces
  libseccomp-dev                                        # the device's system-call filter
  python3 procps curl iproute2                          # tools the device offers the model
  openssh-server openssh-client rsync                   # allocated-device: SSH into the target
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
