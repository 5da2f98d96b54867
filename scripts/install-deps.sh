#!/usr/bin/env bash
# Installs what building and testing swift-step-ca needs on Debian 12 (run as root).
# The Swift toolchain itself is expected on PATH (swift.org's Debian 12 build).
set -euo pipefail

packages=(
  build-essential pkg-config make          # C plugins and the plugin example
  libssl-dev valgrind                      # the C KMS example (libcrypto) and its leak check
  libsqlite3-dev sqlite3                   # the embedded database plugin
  libpq-dev postgresql                     # the PostgreSQL plugin and its test server
  libmariadb-dev mariadb-server mariadb-client  # the MySQL plugin and its test server
  libp11-kit-dev softhsm2 opensc p11-kit   # PKCS#11 header for the pkcs11 plugin; SoftHSM2 token, pkcs11-tool, p11-kit proxy for its tests
  openssl openssh-client curl ca-certificates   # key vectors, HTTPS probes in tests
  binutils                                 # nm, ldd checks of the plugin isolation
  python3 python3-pip                      # independent JOSE implementation for tests
  pcscd vsmartcard-vpcd libpcsclite1 libpcsclite-dev pcsc-tools  # YubiKey plugin: PC/SC and a virtual reader
  opensc yubico-piv-tool python3-cryptography iproute2 util-linux  # the virtual PIV cards and their cross-check
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep Debian's maintainer scripts from starting database daemons: the test script starts
  # its own throwaway servers on loopback.
  if [ ! -e /usr/sbin/policy-rc.d ] && [ ! -d /run/systemd/system ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
fi

# joserfc and cryptography check our JOSE output and certificates independently of our code.
for module in joserfc cryptography; do
  if ! python3 -c "import $module" 2>/dev/null; then
    python3 -m pip install --quiet "$module" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "$module"
  fi
done

# Google's own Cloud KMS SDK checks the Cloud KMS test server (scripts/services/gcpkms_sdk_check.py).
if ! python3 -c "import google.cloud.kms, google.auth" 2>/dev/null; then
  python3 -m pip install --quiet google-cloud-kms google-auth 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages google-cloud-kms google-auth
fi

# Microsoft's own Key Vault SDK checks the Key Vault test server (scripts/services/azurekv_sdk_check.py).
if ! python3 -c "import azure.keyvault.keys, azure.identity" 2>/dev/null; then
  python3 -m pip install --quiet azure-keyvault-keys azure-identity 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages azure-keyvault-keys azure-identity
fi

# moto (with its server extras and boto3) emulates AWS KMS for the kms-aws plugin's tests
# (scripts/services/moto.sh); moto_kms_patched.py there is written against moto 5.2.
if ! python3 -c "import moto, flask, flask_cors, boto3" 2>/dev/null; then
  python3 -m pip install --quiet "moto[server]>=5.2,<5.3" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "moto[server]>=5.2,<5.3"
fi

command -v swift >/dev/null || { echo "swift is not on PATH: install the Swift 6.x toolchain first" >&2; exit 1; }
"$(dirname "${BASH_SOURCE[0]}")/install-step-cli.sh"   # smallstep's step CLI, built from Debian's Go sources
