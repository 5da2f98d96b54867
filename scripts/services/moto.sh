#!/usr/bin/env bash
# AWS KMS emulator for the kms-aws plugin's tests: moto_server on 127.0.0.1:$MOTO_PORT, with
# KMS fidelity fixes (moto_kms_patched.py: DIGEST signing, PSS salt = digest length, KeySpec)
# and IAM authentication switched on, so every request's SigV4 signature is checked: a wrong
# signature or secret gets 403 SignatureDoesNotMatch.
#   moto.sh [start|stop|status|env]   (default: start)
# Env: INFRA_DIR (/tmp/stepca-services) MOTO_PORT (54566)
# Prints (and writes to $INFRA_DIR/moto/env):
#   export MOTO_ENDPOINT=http://127.0.0.1:PORT MOTO_REGION=us-east-1
#   export MOTO_ACCESS_KEY_ID=... MOTO_SECRET_ACCESS_KEY=...   (an IAM user with kms:*)
# moto itself (moto[server], from PyPI) is installed by scripts/install-deps.sh.
SVC=moto
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
MOTO_PORT=${MOTO_PORT:-54566}
D=$INFRA_DIR/moto
action=${1:-start}
PY=${MOTO_PYTHON:-python3}

case $action in
stop) stop_pidfile "$D/pid"; rm -f "$D/env"; exit 0 ;;
status) pid_alive "$D/pid" && curl -sf "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null; exit ;;
env) cat "$D/env"; exit ;;
start) ;;
*) die "usage: $0 [start|stop|status|env]" ;;
esac

"$PY" -c 'import moto, flask, flask_cors, boto3' 2>/dev/null \
  || die "moto[server] is not installed for $PY (scripts/install-deps.sh installs it)"
mkdir -p "$D"
if pid_alive "$D/pid" && [ -s "$D/env" ]; then cat "$D/env"; exit 0; fi
stop_pidfile "$D/pid"
need_free_port "$MOTO_PORT"
# The first 3 requests are unauthenticated (they create the IAM user below); every later one
# must carry a valid SigV4 signature of a known access key.
INITIAL_NO_AUTH_ACTION_COUNT=3 "$PY" "$HERE/moto_kms_patched.py" -H 127.0.0.1 -p "$MOTO_PORT" \
  >"$D/log" 2>&1 </dev/null &
echo $! > "$D/pid"
wait_until "$WAIT_S" curl -sf "http://127.0.0.1:$MOTO_PORT/moto-api/" \
  || { tail "$D/log" >&2; stop_pidfile "$D/pid"; die "moto_server did not come up"; }

read -r AK SK < <("$PY" - "http://127.0.0.1:$MOTO_PORT" <<'PYEOF'
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="stepca")
key = iam.create_access_key(UserName="stepca")["AccessKey"]
iam.put_user_policy(UserName="stepca", PolicyName="kms", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
print(key["AccessKeyId"], key["SecretAccessKey"])
PYEOF
) || { tail "$D/log" >&2; stop_pidfile "$D/pid"; die "IAM bootstrap failed"; }
[ -n "${SK:-}" ] || { stop_pidfile "$D/pid"; die "IAM bootstrap returned no access key"; }

cat > "$D/env" <<EOF2
export MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT MOTO_REGION=us-east-1
export MOTO_ACCESS_KEY_ID=$AK MOTO_SECRET_ACCESS_KEY=$SK
EOF2
chmod 600 "$D/env"
cat "$D/env"
