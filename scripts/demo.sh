#!/usr/bin/env bash
# Builds step-ca and the SQLite plugin (release), creates a demo PKI in ./demo on first run,
# and starts the CA on https://localhost:9443 with the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."

address="${STEPCA_DEMO_ADDRESS:-127.0.0.1:9443}"

swift build -c release --product step-ca
swift build -c release --product stepca-db-sqlite
bin=$(swift build -c release --show-bin-path)

if [ ! -f demo/config/ca.json ]; then
  mkdir -p demo
  chmod 700 demo
  umask 077
  head -c 24 /dev/urandom | base64 | tr -d '/+=' > demo/password.txt
  "$bin/step-ca" init --name "Demo" --dns localhost --dns 127.0.0.1 --address "$address" \
    --provisioner admin@example.com --password-file demo/password.txt --steppath "$PWD/demo"
  echo "The demo password (CA keys and the admin@example.com provisioner) is in demo/password.txt"
fi

exec "$bin/step-ca" demo/config/ca.json --password-file demo/password.txt --plugin-dir "$bin"
