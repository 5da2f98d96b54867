#!/usr/bin/env bash
# pcscd (foreground, no systemd) + vsmartcard's vpcd reader driver + two virtual YubiKey-like
# PIV cards (piv_vcard.py), for the kms-yubikey plugin's tests.
#   piv-vcard.sh [start|stop|status|env|smoke|reset]
#     reset: restarts both cards with empty state (no keys, no certificates, default PIN and
#            management keys); pcscd keeps running.
# Readers (vpcd always makes two slots, on VPCD_PORT and VPCD_PORT+1):
#   "Yubico YubiKey vpcd 00 00": firmware 5.4.3, serial PIV_SERIAL (12345678), 3DES management key
#   "Yubico YubiKey vpcd 00 01": firmware 5.7.1, serial PIV_SERIAL2 (23456789), AES-192 management
#                                key (the 5.7 default); both keys have the default value 0102..08.
# (A second vpcd reader for more cards does not work: two instances of the vpcd driver in one
# pcscd hang it.)
# Env: INFRA_DIR (/tmp/stepca-services) VPCD_PORT (35963) PIV_PIN (123456)
#      PIV_MGM_ALG2 (aes192) PIV_MGM_KEY2 (the default value, sized for the algorithm): the second
#      card's management key (3des|aes128|aes192|aes256), e.g. `PIV_MGM_ALG2=aes256 piv-vcard.sh reset`
#      PCSC_NETNS (1): run pcscd and the cards in the private network namespace "stepca-pcsc"
#      (only a loopback), so vpcd's 0.0.0.0 listeners are invisible to the host network.
#      Clients stay in the normal namespace: pcscd's socket /run/pcscd/pcscd.comm is a file.
# Limits: ONE pcscd per machine (its socket and pid file are fixed under /run/pcscd), so tests
# using PC/SC run one at a time.
SVC=piv-vcard
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
VPCD_PORT=${VPCD_PORT:-35963}; PCSC_NETNS=${PCSC_NETNS:-1}; PIV_PIN=${PIV_PIN:-123456}
PIV_SERIAL=${PIV_SERIAL:-12345678}; PIV_SERIAL2=${PIV_SERIAL2:-23456789}
NS=stepca-pcsc
D=$INFRA_DIR/piv-vcard
READER="Yubico YubiKey vpcd"
action=${1:-start}

# command prefix; nsenter execs (no fork), so "$!" is the daemon itself
if [ "$PCSC_NETNS" = 1 ]; then NSX=(nsenter --net=/run/netns/$NS); else NSX=(); fi

# Runs a command with no blocked signals. A caller may start this script with SIGTERM blocked
# (test runners do), and a blocked mask survives exec: the daemons would then ignore `stop`.
# The exec keeps the pid, so "$!" stays the daemon's.
UNBLOCK=(python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); signal.signal(signal.SIGTERM, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])')

fail() { tail -5 "$D"/card*.log "$D/pcscd.log" >&2 2>/dev/null; stop; die "$@"; }

stop_cards() {
  stop_pidfile "$D/card0.pid"
  stop_pidfile "$D/card1.pid"
}

stop() {
  stop_cards
  stop_pidfile "$D/pcscd.pid"
  [ "$PCSC_NETNS" = 1 ] && ip netns del $NS 2>/dev/null
  return 0
}

readers_ready() {
  local list; list=$(opensc-tool -l 2>/dev/null) || return 1
  grep -q "Yes.*$READER 00 00" <<<"$list" && grep -q "Yes.*$READER 00 01" <<<"$list"
}

# start_card INDEX PORT SERIAL VERSION MGM_ALG [--mgm-key HEX]
start_card() {
  local py; py=$(python3 -c 'import sys; print(sys.executable)')  # not a pyenv shim: $! must be python
  "${UNBLOCK[@]}" "${NSX[@]}" "$py" "$HERE/piv_vcard.py" --connect "127.0.0.1:$2" --pin "$PIV_PIN" --serial "$3" \
      --version "$4" --mgm-alg "$5" "${@:6}" --state "$D/card$1.json" >"$D/card$1.log" 2>&1 </dev/null &
  echo $! > "$D/card$1.pid"
}

start_cards() {
  rm -f "$D"/card*.json
  start_card 0 "$VPCD_PORT" "$PIV_SERIAL" 5.4.3 3des
  start_card 1 $((VPCD_PORT + 1)) "$PIV_SERIAL2" 5.7.1 "${PIV_MGM_ALG2:-aes192}" ${PIV_MGM_KEY2:+--mgm-key "$PIV_MGM_KEY2"}
  wait_until "$WAIT_S" readers_ready || fail "the cards are not visible through PC/SC"
}

# The virtual card behaves like a YubiKey for Yubico's own tool: status, generate (3DES
# management-key authentication), PIN + signature checked with openssl, certificate import and
# read (chained APDUs), a wrong PIN decrements the retry counter. Runs on the first card.
smoke() {
  local T Y rc=0; T=$(mktemp -d); Y=(yubico-piv-tool -r "$READER 00 00")
  (
    set -e; cd "$T"
    readers_ready || { opensc-tool -l; echo "readers missing"; exit 1; }
    "${Y[@]}" -a status > status.txt
    grep -q "^Version:.*5.4.3" status.txt && grep -q "^Serial Number:.*$PIV_SERIAL" status.txt \
      || { cat status.txt; echo "status: unexpected version or serial"; exit 1; }
    "${Y[@]}" -a generate -s 9a -A ECCP256 -o pub.pem >/dev/null 2>&1 || { echo "generate failed"; exit 1; }
    echo "hello piv" > data
    "${Y[@]}" -a verify-pin -P "$PIV_PIN" --sign -s 9a -A ECCP256 -H SHA256 -i data -o data.sig >/dev/null 2>&1 \
      || { echo "sign failed"; exit 1; }
    openssl dgst -sha256 -verify pub.pem -signature data.sig data >/dev/null || { echo "signature does not verify"; exit 1; }
    # yubico-piv-tool 2.2's selfsign fails with OpenSSL 3: the certificate comes from openssl
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -subj /CN=smoke-ca -days 2 -out ca.pem 2>/dev/null
    openssl req -new -key ca.key -subj /CN=x -out x.csr 2>/dev/null
    openssl x509 -req -in x.csr -CA ca.pem -CAkey ca.key -force_pubkey pub.pem -subj /CN=piv-9a -days 2 -out cert.pem 2>/dev/null
    "${Y[@]}" -a import-certificate -s 9a -i cert.pem >/dev/null 2>&1 || { echo "import-certificate failed"; exit 1; }
    "${Y[@]}" -a read-certificate -s 9a -o back.pem >/dev/null 2>&1 || { echo "read-certificate failed"; exit 1; }
    cmp -s <(openssl x509 -in cert.pem -outform DER) <(openssl x509 -in back.pem -outform DER) \
      || { echo "certificate read back differs"; exit 1; }
    "${Y[@]}" -a verify-pin -P "$PIV_PIN" -a test-signature -s 9a -i cert.pem 2>&1 | grep -q "Successful ECDSA verification" \
      || { echo "test-signature failed"; exit 1; }
    "${Y[@]}" -a verify-pin -P 000000 >/dev/null 2>&1 && { echo "wrong PIN accepted"; exit 1; }
    "${Y[@]}" -a status | grep -q "PIN tries left:.*2" || { echo "wrong PIN did not decrement the counter"; exit 1; }
    "${Y[@]}" -a verify-pin -P "$PIV_PIN" >/dev/null 2>&1 || { echo "PIN refused"; exit 1; }
    "${Y[@]}" -a status | grep -q "PIN tries left:.*3" || { echo "right PIN did not reset the counter"; exit 1; }
    "${Y[@]}" -k0000000000000000000000000000000000000000000000ff -a generate -s 9c -A ECCP256 >/dev/null 2>&1 \
      && { echo "wrong management key accepted"; exit 1; }
    yubico-piv-tool -r "$READER 00 01" -a status | grep -q "^Serial Number:.*$PIV_SERIAL2" \
      || { echo "second card: unexpected serial"; exit 1; }
    exit 0
  ) || rc=1
  rm -rf "$T"
  [ $rc = 0 ] && echo "piv-vcard smoke: OK"
  return $rc
}

case $action in
stop) stop; exit 0 ;;
status) pid_alive "$D/pcscd.pid" && pid_alive "$D/card0.pid" && pid_alive "$D/card1.pid" && opensc-tool -l; exit ;;
env) cat "$D/env"; exit ;;
smoke) smoke; exit ;;
reset)
  pid_alive "$D/pcscd.pid" || die "pcscd is not running: $0 start"
  stop_cards; start_cards; cat "$D/env"; exit 0 ;;
start) ;;
*) die "usage: $0 [start|stop|status|env|smoke|reset]" ;;
esac

apt_need pcscd vsmartcard-vpcd libpcsclite1 pcsc-tools opensc yubico-piv-tool python3-cryptography iproute2 util-linux
mkdir -p "$D/reader.conf.d"

if pid_alive "$D/pcscd.pid" && pid_alive "$D/card0.pid" && pid_alive "$D/card1.pid"; then
  cat "$D/env"; exit 0
fi
stop >/dev/null 2>&1
if [ -s /run/pcscd/pcscd.pid ] && running "$(cat /run/pcscd/pcscd.pid)"; then
  die "another pcscd (pid $(cat /run/pcscd/pcscd.pid)) owns /run/pcscd; only one can run per machine"
fi
# A pid file left by a pcscd that died would make the new one refuse to start.
rm -f /run/pcscd/pcscd.pid /run/pcscd/pcscd.comm

# DEVICENAME /dev/null:PORT = vpcd's server mode (vpcd listens, the card connects). The reversed
# mode crashes Debian 12's pcscd as soon as slot PORT+1 has no card. FRIENDLYNAME must start
# with "Yubico" for ykcs11 and contain "YubiKey" for yubico-piv-tool's default reader filter.
rm -f "$D/reader.conf.d/"*
cat > "$D/reader.conf.d/vpcd" <<EOF
FRIENDLYNAME "$READER"
DEVICENAME   /dev/null:$VPCD_PORT
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    $VPCD_PORT
EOF

if [ "$PCSC_NETNS" = 1 ]; then
  ip netns add $NS 2>/dev/null || ip netns list | grep -qw $NS || die "ip netns add $NS failed"
  ip -n $NS link set lo up
fi

# -f: foreground (backgrounded here, so $! is pcscd); -c: our reader.conf.d; -a: log APDUs.
"${UNBLOCK[@]}" "${NSX[@]}" pcscd -f -a -c "$D/reader.conf.d" >"$D/pcscd.log" 2>&1 </dev/null &
echo $! > "$D/pcscd.pid"
"${NSX[@]}" bash -c "$(declare -f wait_tcp); WAIT_S=$WAIT_S; wait_tcp 127.0.0.1 $VPCD_PORT $WAIT_S" \
  || fail "vpcd did not listen on $VPCD_PORT"
start_cards

cat > "$D/env" <<EOF
export PCSC_READER='$READER 00 00' PCSC_READER2='$READER 00 01'
export PIV_PIN=$PIV_PIN PIV_SERIAL=$PIV_SERIAL PIV_SERIAL2=$PIV_SERIAL2
export PIV_MGMT_KEY=010203040506070801020304050607080102030405060708
export PIV_VCARD_SCRIPT=$HERE/piv-vcard.sh
export LIBPCSCLITE=/usr/lib/x86_64-linux-gnu/libpcsclite.so.1
EOF
cat "$D/env"
