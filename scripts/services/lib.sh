# Shared helpers for the service scripts in this folder. Source it; do not run it.
# Conventions used by every script here:
#   X.sh [start|stop|status|env]   (default: start)
#   INFRA_DIR (default /tmp/stepca-services) holds one sub-directory per service:
#   $INFRA_DIR/<svc>/  with  pid  log  env  (env = shell 'export K=V' lines).
#   'start' is idempotent: if the service is already up it only prints the env.
#   Every wait loop is bounded (WAIT_S, default 30 s).
set -u
# Daemons started by these scripts must not inherit the caller's descriptors beyond stdio: a
# caller waiting for end-of-file on a pipe (or a process monitor) would otherwise wait for the
# daemon instead of the script.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  case $fd in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done
INFRA_DIR=${INFRA_DIR:-/tmp/stepca-services}
WAIT_S=${WAIT_S:-30}
export DEBIAN_FRONTEND=noninteractive

log() { printf '[%s] %s\n' "${SVC:-infra}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# apt_need PKG... : install packages that are not installed yet (waits for the dpkg lock).
apt_need() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  # policy-rc.d (exit 101) keeps Debian maintainer scripts from starting daemons;
  # create one if the image has none, so nothing starts behind our back.
  if [ ! -e /usr/sbin/policy-rc.d ] && [ ! -d /run/systemd/system ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  fi
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get -o DPkg::Lock::Timeout=300 update >&2 && \
         apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2; }
}

# wait_tcp HOST PORT [SECONDS] : wait until something accepts on HOST:PORT.
wait_tcp() {
  local h=$1 p=$2 n=$(( ${3:-$WAIT_S} * 10 )) i
  for ((i = 0; i < n; i++)); do
    (exec 3<>"/dev/tcp/$h/$p") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_until SECONDS CMD... : run CMD every 0.1 s until it succeeds (bounded).
wait_until() {
  local n=$(( $1 * 10 )) i; shift
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# running = exists and is not a zombie (orphans are re-parented to PID 1, which may reap late)
running() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
pid_alive() { [ -s "$1" ] && running "$(cat "$1")"; }

# stop_pidfile PIDFILE [SIGNAL] : TERM the recorded pid, wait (bounded), then KILL.
stop_pidfile() {
  local f=$1 sig=${2:-TERM} pid i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if running "$pid"; then
    kill -"$sig" "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do running "$pid" || break; sleep 0.1; done
    running "$pid" && { log "pid $pid ignored SIG$sig, sending KILL"; kill -KILL "$pid" 2>/dev/null; }
  fi
  rm -f "$f"
}

# port_free PORT : true when nothing listens on 127.0.0.1:PORT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# need_free_port PORT : die if something else already listens on 127.0.0.1:PORT
need_free_port() { port_free "$1" || die "127.0.0.1:$1 is already in use by another process (ss -ltnp | grep :$1)"; }

# fake_service ACTION DIR PORT SCRIPT SDK_CHECK [ARG...] : start|stop|status|env|smoke of a
# Python test server in this folder (SCRIPT, e.g. gcpkms_fake.py) that writes DIR/env once it
# listens on PORT (0 = any free). ARGs go to SCRIPT; smoke runs SDK_CHECK with DIR/env loaded.
fake_service() {
  local action=$1 d=$2 port=$3 script=$4 check=$5 here
  shift 5
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  case $action in
  stop) stop_pidfile "$d/pid"; rm -f "$d/env"; return 0 ;;
  status) pid_alive "$d/pid" && [ -s "$d/env" ]; return ;;
  env) cat "$d/env"; return ;;
  smoke) . "$d/env"; python3 "$here/$check"; return ;;
  start) ;;
  *) die "usage: $0 [start|stop|status|env|smoke]" ;;
  esac
  python3 -c 'import cryptography' 2>/dev/null || die "python3 module cryptography missing (scripts/install-deps.sh)"
  mkdir -p "$d"
  if ! pid_alive "$d/pid" || [ ! -s "$d/env" ]; then
    stop_pidfile "$d/pid"
    rm -f "$d/env"
    [ "$port" = 0 ] || need_free_port "$port"
    python3 "$here/$script" --dir "$d" --port "$port" "$@" >"$d/log" 2>&1 </dev/null &
    echo $! > "$d/pid"
    wait_until "$WAIT_S" test -s "$d/env" \
      || { tail "$d/log" >&2; stop_pidfile "$d/pid"; die "$script did not come up"; }
  fi
  cat "$d/env"
}
