#!/usr/bin/env bash
# Builds smallstep's step-ca 0.19 from Debian 12's packaged Go sources, offline from any Go module
# proxy, for `stepca-bench-sign --go-step-ca`. Prints the binary's path.
#
# Debian ships step-ca's libraries (golang-github-smallstep-certificates-dev 0.19.0, with badger,
# bbolt and the rest as Debian packages) but not its command-line front end; main.go here is a
# reduced one. The build runs in GOPATH mode against /usr/share/gocode.
#
# Environment: STEP_CA_GO_WORKDIR (build directory, default /var/tmp/step-ca-go-build).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${STEP_CA_GO_WORKDIR:-/var/tmp/step-ca-go-build}"
packages=(golang-go gcc libc6-dev golang-github-smallstep-certificates-dev golang-github-smallstep-cli-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

mkdir -p "$work/gopath/src/stepca-go" "$work/cache"
cp "$here/main.go" "$work/gopath/src/stepca-go/main.go"
(
  cd "$work/gopath/src/stepca-go"
  GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/cache" \
    go build -o "$work/step-ca" . >&2
)
echo "$work/step-ca"
