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
D=${GCPKMS_DIR:-$INFRA_DIR/gcpkms}
GCPKMS_PORT=${GCPKMS_PORT:-0}; GCPKMS_PROJECT=${GCPKMS_PROJECT:-stepca-test}
fake_service "${1:-start}" "$D" "$GCPKMS_PORT" gcpkms_fake.py gcpkms_sdk_check.py --project "$GCPKMS_PROJECT"
