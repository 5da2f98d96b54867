#!/usr/bin/env bash
# Builds smallstep's `step` CLI 0.15.16 from Debian 12 packages, offline from any Go module proxy,
# and installs it as /usr/local/bin/step (or $STEP_CLI_BIN). Idempotent: exits at once when a
# working binary is already there. Run as root (it installs apt packages).
#
# Debian ships the CLI's Go sources in golang-github-smallstep-cli-dev, but only part of the tree
# (no flags/, jose/, token/, exec/, crypto/sshutil, ... and no cmd/step entry point). The full
# tree comes from the same Debian source package (`apt-get source`, through a private deb-src
# list so the system's apt configuration is untouched); the files of the -dev package, which carry
# Debian's patches, are laid over it. What Debian does not package at all:
#   - github.com/smallstep/certinfo, zcrypto/x509, zlint: small stand-ins from scripts/step-cli/shims
#     (text and JSON for `step certificate inspect`; `step certificate lint` reports it is unavailable);
#   - smallstep's blackfriday fork (help rendering): Debian uses blackfriday v2; usage/renderer.go
#     gets a guard so help pages with definition lists do not panic;
#   - certificates 0.15's pki API used by `step ca init`: Debian has 0.19, bridged by a sed edit of
#     command/ca/init.go and scripts/step-cli/compat/command/ca/pki_compat.go.
# The build runs in GOPATH mode: GO111MODULE=off, GOPATH=<work>/gopath:/usr/share/gocode.
#
# Environment: STEP_CLI_BIN (install path), STEP_CLI_WORKDIR (build directory, default
# /var/tmp/step-cli-build, holds the Go build cache), STEP_CLI_MIRROR (Debian mirror for the source
# package, default http://deb.debian.org/debian), STEP_CLI_FORCE=1 (rebuild even if installed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${STEP_CLI_BIN:-/usr/local/bin/step}"
work="${STEP_CLI_WORKDIR:-/var/tmp/step-cli-build}"
mirror="${STEP_CLI_MIRROR:-http://deb.debian.org/debian}"
cli_version="0.15.16"
source_package="golang-github-smallstep-cli"

working_binary() {
  local banner
  [ -x "$bin" ] && banner=$("$bin" version 2>/dev/null) && [[ "$banner" == "Smallstep CLI/"* ]]
}

if [ "${STEP_CLI_FORCE:-0}" != "1" ] && working_binary; then
  "$bin" version
  exit 0
fi

started=$(date +%s)
packages=(
  golang-go gcc libc6-dev ca-certificates
  golang-github-smallstep-cli-dev golang-github-smallstep-certificates-dev
  golang-github-pquerna-otp-dev golang-github-smallstep-truststore-dev golang-sslmate-src-go-pkcs12-dev
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
fi

# The full source tree: the orig tarball of the Debian source package, fetched with apt-get source
# through a private deb-src list (checksums come from the signed Sources index).
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work/download"
cat > "$apt_dir/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main
EOF
apt_private=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/none"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Sandbox::User=root"
)
orig=$(ls "$work/download/${source_package}_${cli_version}"*.orig.tar.* 2>/dev/null | head -n 1 || true)
if [ -z "$orig" ]; then
  echo "Fetching the $source_package source package from $mirror"
  # Only the orig tarball is needed: a missing debian.tar.xz (a partial mirror) is not an error,
  # so apt's messages go to a log that is shown only when the tarball did not arrive.
  {
    apt-get "${apt_private[@]}" update -qq
    (cd "$work/download" && apt-get "${apt_private[@]}" source --download-only -qq "$source_package")
  } > "$work/apt-source.log" 2>&1 || true
  orig=$(ls "$work/download/${source_package}_${cli_version}"*.orig.tar.* 2>/dev/null | head -n 1 || true)
  if [ -z "$orig" ]; then
    cat "$work/apt-source.log" >&2
    echo "install-step-cli: could not download the $source_package source package from $mirror" >&2
    exit 1
  fi
fi

gopath="$work/gopath"
cli_dir="$gopath/src/github.com/smallstep/cli"
rm -rf "$gopath/src"
mkdir -p "$cli_dir" "$gopath/src/stepcli"
tar -xf "$orig" -C "$cli_dir" --strip-components=1
cp -a /usr/share/gocode/src/github.com/smallstep/cli/. "$cli_dir/"
rm -rf "$cli_dir/cmd" "$cli_dir/integration"
cp -a "$here/step-cli/shims/github.com/smallstep/." "$gopath/src/github.com/smallstep/"
cp "$here/step-cli/compat/command/ca/pki_compat.go" "$cli_dir/command/ca/"
sed -i \
  -e 's/\bp\.SetProvisioner(provisioner)/pki.WithProvisioner(provisioner)(p)/' \
  -e 's/\bp\.SetAddress(address)/pki.WithAddress(address)(p)/' \
  -e 's/\bp\.SetDNSNames(dnsNames)/pki.WithDNSNames(dnsNames)(p)/' \
  -e 's/\bp\.SetCAURL(caURL)/setCAURL(p, caURL, address, dnsNames)/' \
  -e 's/^\t\tp\.TellPKI()$/\t\tfmt.Println("PKI created; configure the CA for it (RA mode).")/' \
  -e 's/^\topts := \[\]pki\.Option{}$/\topts := []pki.ConfigOption{}/' \
  -e 's/opts = append(opts, pki\.WithoutDB())/pki.WithNoDB()(p)/' \
  "$cli_dir/command/ca/init.go"
if grep -qE 'p\.Set(Provisioner|Address|DNSNames|CAURL)|TellPKI|WithoutDB' "$cli_dir/command/ca/init.go"; then
  echo "install-step-cli: command/ca/init.go did not match the expected 0.15.16 source" >&2
  exit 1
fi
# Debian replaced smallstep's blackfriday fork (excluded from its source) with blackfriday v2, which
# reports definition-list terms differently: help pages with such lists indexed an empty item list
# (a panic on `step ca certificate --help`). In the list-item case (the first such line), start an
# item when there is none.
sed -i '0,/^\t\t\tbuf := r\.finishCapture()$/s//&\n\t\t\tif len(r.list.items) == 0 {\n\t\t\t\tr.list.items = append(r.list.items, item{node.ListFlags, nil, nil})\n\t\t\t}/' \
  "$cli_dir/usage/renderer.go"
grep -q 'if len(r.list.items) == 0 {' "$cli_dir/usage/renderer.go" \
  || { echo "install-step-cli: usage/renderer.go did not match the expected 0.15.16 source" >&2; exit 1; }
cp "$here/step-cli/main.go" "$gopath/src/stepcli/main.go"

echo "Building step $cli_version (GOPATH mode, this takes a few minutes on a cold cache)"
mkdir -p "$work/cache" "$(dirname "$bin")"
(
  cd "$gopath/src/stepcli"
  GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$work/cache" GOFLAGS= CGO_ENABLED=1 \
    go build -trimpath -o "$work/step" \
      -ldflags "-X main.Version=${cli_version}-debian -X 'main.BuildTime=$(date -u '+%Y-%m-%d %H:%M UTC')'" \
      . 2> "$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
)
install -m 0755 "$work/step" "$bin"
working_binary || { echo "install-step-cli: $bin was built but 'step version' fails" >&2; exit 1; }
echo "Built $bin in $(( $(date +%s) - started )) s"
"$bin" version
