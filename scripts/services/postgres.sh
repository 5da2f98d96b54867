#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on 127.0.0.1:$PG_PORT, no systemd, run as root.
#   postgres.sh [start|stop|status|env|smoke]
# Env: SERVICES_DURABLE=1 keeps fsync on (benchmarks); tests run without it.
# Env: PG_TLS_DIR=DIR with server.crt, server.key and ca.crt turns TLS on; the role PG_USER then
#      also logs in with a client certificate (CN = PG_USER) signed by ca.crt, over TLS only.
# Env: INFRA_DIR (/tmp/stepca-services) PG_PORT (55432) PG_DB (stepca) PG_USER (stepca) PG_PASS (stepca-pw)
# Prints (and writes to $INFRA_DIR/postgres/env):  export PG_DSN=postgresql://user:pass@127.0.0.1:PORT/db
SVC=postgres
. "$(dirname "$0")/lib.sh"
PG_PORT=${PG_PORT:-55432}; PG_DB=${PG_DB:-stepca}; PG_USER=${PG_USER:-stepca}; PG_PASS=${PG_PASS:-stepca-pw}
D=$INFRA_DIR/postgres; DATA=$D/data
action=${1:-start}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { runuser -u postgres -- "$@"; }

case $action in
stop)
  B=$(pgbin)
  if [ -n "$B" ] && [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$B/pg_ctl" -D "$DATA" -m fast -w -t "$WAIT_S" stop >&2 || stop_pidfile "$D/pid"
  fi
  rm -f "$D/pid"; exit 0 ;;
status) [ -n "$(pgbin)" ] && as_pg "$(pgbin)/pg_ctl" -D "$DATA" status; exit ;;
env) cat "$D/env"; exit ;;
smoke)
  . "$D/env"
  # over TCP with the password (libpq DSN), then a wrong password must fail
  PGCONNECT_TIMEOUT=5 psql "$PG_DSN" -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE IF NOT EXISTS smoke(k text PRIMARY KEY, v bytea);
    INSERT INTO smoke VALUES ('a', '\\x01') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;" \
    -c "SELECT current_user, inet_server_addr(), inet_server_port(), count(*) FROM smoke" -A -t || exit 1
  if PGCONNECT_TIMEOUT=5 psql "postgresql://$PG_USER:wrong@127.0.0.1:$PG_PORT/$PG_DB" -c 'select 1' >/dev/null 2>&1; then
    echo "wrong password accepted"; exit 1; fi
  echo "postgres smoke: OK"; exit 0 ;;
start) ;;
*) die "usage: $0 [start|stop|status|env|smoke]" ;;
esac

apt_need postgresql
if [ "${SERVICES_DURABLE:-0}" = 1 ]; then PG_SYNC_FLAGS=""; else PG_SYNC_FLAGS=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
B=$(pgbin); [ -n "$B" ] || die "no /usr/lib/postgresql/*/bin"
mkdir -p "$D"; chmod 755 "$INFRA_DIR" "$D" 2>/dev/null
chown postgres:postgres "$D"

if [ ! -s "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  # superuser 'postgres' authenticates by trust on the socket (only root/postgres can reach
  # the 0700 socket dir); TCP requires scram passwords.
  as_pg "$B/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$D/initdb.log" 2>&1 || { cat "$D/initdb.log" >&2; die initdb; }
fi

PG_TLS_FLAGS=""
if [ -n "${PG_TLS_DIR:-}" ]; then
  # The server reads its key as user postgres and refuses one others can read.
  install -o postgres -g postgres -m 0600 "$PG_TLS_DIR/server.key" "$D/server.key"
  install -o postgres -g postgres -m 0644 "$PG_TLS_DIR/server.crt" "$D/server.crt"
  install -o postgres -g postgres -m 0644 "$PG_TLS_DIR/ca.crt" "$D/ca.crt"
  PG_TLS_FLAGS=" -c ssl=on -c ssl_cert_file=$D/server.crt -c ssl_key_file=$D/server.key -c ssl_ca_file=$D/ca.crt"
  # Certificate logins first: hostssl + cert for PG_USER, the password rules after.
  grep -q "^hostssl all $PG_USER" "$DATA/pg_hba.conf" || {
    printf 'hostssl all %s 127.0.0.1/32 cert\n' "$PG_USER" | cat - "$DATA/pg_hba.conf" > "$D/pg_hba.new"
    install -o postgres -g postgres -m 0600 "$D/pg_hba.new" "$DATA/pg_hba.conf"; rm -f "$D/pg_hba.new"
  }
fi

if ! as_pg "$B/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  need_free_port "$PG_PORT"
  # -k: socket dir inside $D (not /var/run/postgresql); listen on loopback only.
  as_pg "$B/pg_ctl" -D "$DATA" -l "$D/log" -w -t "$WAIT_S" \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $D $PG_SYNC_FLAGS$PG_TLS_FLAGS" \
        start >&2 || { tail -20 "$D/log" >&2; die "pg_ctl start"; }
fi
head -1 "$DATA/postmaster.pid" > "$D/pid"

PSQL=("$B/psql" -X -q -v ON_ERROR_STOP=1 -h "$D" -p "$PG_PORT" -U postgres -d postgres)
as_pg "${PSQL[@]}" <<SQL >&2
SELECT 'CREATE ROLE "$PG_USER" LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') \gexec
ALTER ROLE "$PG_USER" PASSWORD '$PG_PASS' CREATEDB;
SELECT 'CREATE DATABASE "$PG_DB" OWNER "$PG_USER"' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB') \gexec
SQL

cat > "$D/env" <<EOF
export PG_HOST=127.0.0.1 PG_PORT=$PG_PORT PG_DB=$PG_DB PG_USER=$PG_USER PG_PASS=$PG_PASS
export PG_DSN=postgresql://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB?sslmode=disable
export PG_SOCKET_DIR=$D
EOF
cat "$D/env"
