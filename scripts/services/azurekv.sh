#!/usr/bin/env bash
# Azure Key Vault test server (azurekv_fake.py): HTTPS on 127.0.0.1 with a CA of its own, serving
# the vault, the AAD token endpoint (client credentials) and an IMDS managed-identity endpoint;
# real keys, in-memory state.
#   azurekv.sh [start|stop|status|env|smoke]   (default: start; start is idempotent)
# Env: INFRA_DIR (/tmp/stepca-services)  AZUREKV_DIR ($INFRA_DIR/azurekv)  AZUREKV_PORT (0 = any free)
# Prints (and writes to $AZUREKV_DIR/env): export AZURE_KV_URL=https://127.0.0.1:PORT (the vault)
#      AZURE_KV_CA=.../ca.pem AZURE_KV_AUTHORITY_HOST AZURE_KV_TENANT_ID AZURE_KV_CLIENT_ID
#      AZURE_KV_CLIENT_SECRET AZURE_KV_IMDS_HOST AZURE_KV_MI_CLIENT_ID
#      AZURE_KV_EC_KEY AZURE_KV_RSA_KEY (+ _VERSION; keys that exist from the start)
# The variables are AZURE_KV_* on purpose: the standard AZURE_* credential variables stay unset
# unless a test sets them.
# smoke: drives the server with Microsoft's own SDK (azure-keyvault-keys + azure-identity).
SVC=azurekv
. "$(dirname "$0")/lib.sh"
D=${AZUREKV_DIR:-$INFRA_DIR/azurekv}
AZUREKV_PORT=${AZUREKV_PORT:-0}
fake_service "${1:-start}" "$D" "$AZUREKV_PORT" azurekv_fake.py azurekv_sdk_check.py
