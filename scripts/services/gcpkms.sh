#!/usr/bin/env bash
# Google Cloud KMS test server (gcpkms_fake.py): HTTPS on 127.0.0.1 with a CA of its own, a
# generated service account whose token_uri is the server, real keys, in-memory state.
#   gcpkms.sh [start|stop|status|env|smoke]   (default: start; start is idempotent)
# Env: INFRA_DIR (/tmp/stepca-services)  GCPKMS_DIR ($INFRA_DIR/gcpkms)  GCPKMS_PORT (0 = any free)
#      GCPKMS_PROJECT (stepca-test)
# Prints (and writes to $GCPKMS_DIR/env): export GCP_KMS_ENDPOINT=https://127.0.0.1:PORT
#      GCP_KMS_CA=.../ca.pem GCP_KMS_PROJECT=... GCP_KMS_LOCATION=global GCP_KMS_CREDENTIALS=...
#      GCP_KMS_EC_KEY GCP_KMS_RSA_KEY (keys that exist from the start)
# smoke: drives the server with Google's own SDK (google-cloud-kms, REST transport).
SVC=gcpkms
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
D=${GCPKMS_DIR:-$INFRA_DIR/gcpkms}
GCPKMS_PORT=${GCPKMS_PORT:-0}; GCPKMS_PROJECT=${GCPKMS_PROJECT:-stepca-test}
action=${1:-start}

case $action in
stop) stop_pidfile "$D/pid"; rm -f "$D/env"; exit 0 ;;
status) pid_alive "$D/pid" && [ -s "$D/env" ]; exit ;;
env) cat "$D/env"; exit ;;
smoke) . "$D/env"; python3 "$HERE/gcpkms_sdk_check.py"; exit ;;
start) ;;
*) die "usage: $0 [start|stop|status|env|smoke]" ;;
esac

python3 -c 'import cryptography' 2>/dev/null || die "python3 module cryptography missing (scripts/install-deps.sh)"
mkdir -p "$D"
if ! pid_alive "$D/pid" || [ ! -s "$D/env" ]; then
  stop_pidfile "$D/pid"
  rm -f "$D/env"
  [ "$GCPKMS_PORT" = 0 ] || need_free_port "$GCPKMS_PORT"
  python3 "$HERE/gcpkms_fake.py" --dir "$D" --port "$GCPKMS_PORT" --project "$GCPKMS_PROJECT" \
    >"$D/log" 2>&1 </dev/null &
  echo $! > "$D/pid"
  wait_until "$WAIT_S" test -s "$D/env" \
    || { tail "$D/log" >&2; stop_pidfile "$D/pid"; die "gcpkms_fake.py did not come up"; }
fi
cat "$D/env"
