#!/usr/bin/env bash
# Throwaway MariaDB server on 127.0.0.1:$MY_PORT with its own socket, no systemd, run as root.
#   mariadb.sh [start|stop|status|env|smoke]
# Env: SERVICES_DURABLE=1 flushes the log at every commit (benchmarks); tests run without it.
# Env: INFRA_DIR (/tmp/stepca-services) MY_PORT (53306) MY_DB (stepca) MY_USER (stepca) MY_PASS (stepca-pw)
# Prints (and writes to $INFRA_DIR/mariadb/env): MY_DSN in go-sql-driver form user:pass@tcp(127.0.0.1:PORT)/db
SVC=mariadb
. "$(dirname "$0")/lib.sh"
MY_PORT=${MY_PORT:-53306}; MY_DB=${MY_DB:-stepca}; MY_USER=${MY_USER:-stepca}; MY_PASS=${MY_PASS:-stepca-pw}
D=$INFRA_DIR/mariadb; DATA=$D/data; SOCK=$D/mysqld.sock
action=${1:-start}

# root@localhost uses unix_socket auth: as OS user root over our socket, no password.
root_sql() { mariadb --no-defaults --protocol=socket -S "$SOCK" -uroot "$@"; }

case $action in
stop)
  if pid_alive "$D/pid"; then
    root_sql -e "SHUTDOWN" 2>/dev/null || true      # clean shutdown, then make sure
    wait_until "$WAIT_S" bash -c "$(declare -f running); ! running $(cat "$D/pid")"
    stop_pidfile "$D/pid"
  fi
  exit 0 ;;
status) pid_alive "$D/pid" && root_sql -e "SELECT VERSION()"; exit ;;
env) cat "$D/env"; exit ;;
smoke)
  . "$D/env"
  # -h 127.0.0.1 forces TCP (-h localhost would silently use a unix socket)
  M=(mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -u "$MY_USER" "-p$MY_PASS" "$MY_DB")
  "${M[@]}" -N -e "CREATE TABLE IF NOT EXISTS smoke (k VARBINARY(255) PRIMARY KEY, v BLOB);
    REPLACE INTO smoke VALUES ('a', x'01'); SELECT CURRENT_USER(), @@port, COUNT(*) FROM smoke;" || exit 1
  if mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -u "$MY_USER" -pwrong "$MY_DB" -e 'select 1' >/dev/null 2>&1; then
    echo "wrong password accepted"; exit 1; fi
  echo "mariadb smoke: OK"; exit 0 ;;
start) ;;
*) die "usage: $0 [start|stop|status|env|smoke]" ;;
esac

apt_need mariadb-server mariadb-client
if [ "${SERVICES_DURABLE:-0}" = 1 ]; then MY_FLUSH=1; else MY_FLUSH=0; fi
mkdir -p "$D"; chmod 755 "$INFRA_DIR" "$D" 2>/dev/null; chown mysql:mysql "$D"

if [ ! -d "$DATA/mysql" ]; then
  rm -rf "$DATA"
  # --no-defaults: ignore /etc/mysql/*. ~2-3 s.
  mariadb-install-db --no-defaults --datadir="$DATA" --user=mysql --skip-test-db \
      --auth-root-authentication-method=socket --skip-name-resolve >"$D/install.log" 2>&1 \
      || { cat "$D/install.log" >&2; die mariadb-install-db; }
fi

if ! pid_alive "$D/pid"; then
  need_free_port "$MY_PORT"
  # mariadbd refuses to run as root unless --user=...; --user=mysql drops privileges.
  # --no-defaults must be the FIRST option.
  mariadbd --no-defaults --user=mysql --datadir="$DATA" --socket="$SOCK" \
      --port="$MY_PORT" --bind-address=127.0.0.1 --pid-file="$D/mariadbd.pid" \
      --log-error="$D/log" --skip-name-resolve --skip-log-bin \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit="$MY_FLUSH" \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      </dev/null >>"$D/log" 2>&1 &
  echo $! > "$D/pid"
  wait_until "$WAIT_S" root_sql -e "SELECT 1" || { tail -20 "$D/log" >&2; die "mariadbd did not come up"; }
  wait_tcp 127.0.0.1 "$MY_PORT" 5 || die "port $MY_PORT not listening"
fi

# '%' covers 127.0.0.1 over TCP; 'localhost' covers the socket. Idempotent.
root_sql <<SQL
CREATE DATABASE IF NOT EXISTS \`$MY_DB\`;
CREATE USER IF NOT EXISTS '$MY_USER'@'%' IDENTIFIED BY '$MY_PASS';
CREATE USER IF NOT EXISTS '$MY_USER'@'localhost' IDENTIFIED BY '$MY_PASS';
ALTER USER '$MY_USER'@'%' IDENTIFIED BY '$MY_PASS';
ALTER USER '$MY_USER'@'localhost' IDENTIFIED BY '$MY_PASS';
GRANT ALL ON *.* TO '$MY_USER'@'%';
GRANT ALL ON *.* TO '$MY_USER'@'localhost';
SQL

cat > "$D/env" <<EOF
export MY_HOST=127.0.0.1 MY_PORT=$MY_PORT MY_DB=$MY_DB MY_USER=$MY_USER MY_PASS=$MY_PASS MY_SOCKET=$SOCK
export MY_DSN='$MY_USER:$MY_PASS@tcp(127.0.0.1:$MY_PORT)/$MY_DB'
EOF
cat "$D/env"
