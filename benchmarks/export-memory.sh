#!/usr/bin/env bash
# Measures `step-ca db export` on SQLite databases of growing size: wall time, rows per second
# and maximum resident set size (from /usr/bin/time -v), to show that memory does not grow with
# the number of certificates.
#
#   benchmarks/export-memory.sh                 # 1,000, 10,000 and 100,000 certificates
#   COUNTS="10000 300000" benchmarks/export-memory.sh
#
# For each count it copies the fixture STEPPATH (Tests/Fixtures/step-ca-0.19/steppath) with
# "db" switched to sqlite, fills the database with Python's `cryptography` and `sqlite3` in the
# sqlite plugin's layout (one table per bucket, nkey/nvalue BLOBs): realistic leaf DER (P-256,
# SANs, key usages, step's provisioner extension) in x509_certs, a provisioner record in
# x509_certs_data for all but every 1,000th, 1% revoked, 10% expired. Then it runs the export
# in both formats to a file. Set SKIP_BUILD=1 to use the existing release build, KEEP=1 to keep
# the work directory ($STEPCA_BENCH_DIR or a fresh one under $TMPDIR).
set -euo pipefail

cd "$(dirname "$0")/.."
COUNTS=${COUNTS:-"1000 10000 100000"}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    swift build -c release --product step-ca >&2
    swift build -c release --product stepca-db-sqlite >&2
fi
BIN=$(swift build -c release --show-bin-path)
[[ -x "$BIN/step-ca" && -f "$BIN/libstepca-db-sqlite.so" ]] || { echo "no release build in $BIN" >&2; exit 1; }

if [[ ! -x /usr/bin/time ]]; then
    if [[ $(id -u) == 0 ]]; then
        apt-get install -y -qq time >&2
    else
        echo "/usr/bin/time is missing: apt-get install time" >&2
        exit 1
    fi
fi
python3 -c 'import cryptography' 2>/dev/null || { echo "python3 with the cryptography package is required" >&2; exit 1; }

WORK=${STEPCA_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/stepca-export-bench.XXXXXX")}
mkdir -p "$WORK"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/fill.py" <<'PY'
import datetime, json, random, sqlite3, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

path, count = sys.argv[1], int(sys.argv[2])
random.seed(count)
issuer_key = ec.generate_private_key(ec.SECP256R1())
leaf_key = ec.generate_private_key(ec.SECP256R1())
issuer = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bench"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "Bench Intermediate CA")])
provisioners = [("JWK", 1, "ops@example.com", "kid-ops"), ("JWK", 1, "ci@example.com", "kid-ci"), ("ACME", 6, "acme", "")]

def der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])

def provisioner_extension(ptype, name, kid):
    body = (b"\x02\x01" + bytes([ptype]) + b"\x04" + der_len(len(name)) + name.encode()
            + b"\x04" + der_len(len(kid)) + kid.encode())
    return b"\x30" + der_len(len(body)) + body

db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
for table in ("x509_certs", "x509_certs_data", "revoked_x509_certs"):
    db.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (nkey BLOB CHECK (length(nkey) <= 255), nvalue BLOB, PRIMARY KEY (nkey))')
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
certs, data, revoked = [], [], []
def flush():
    db.executemany('INSERT OR REPLACE INTO "x509_certs" VALUES (?, ?)', certs)
    db.executemany('INSERT OR REPLACE INTO "x509_certs_data" VALUES (?, ?)', data)
    db.executemany('INSERT OR REPLACE INTO "revoked_x509_certs" VALUES (?, ?)', revoked)
    certs.clear(); data.clear(); revoked.clear()
for i in range(count):
    serial = random.getrandbits(127) | (1 << 126)
    ptype_name, ptype, pname, kid = provisioners[i % len(provisioners)]
    expired = i % 10 == 0
    not_before = now - datetime.timedelta(days=400 if expired else 1, minutes=1)
    not_after = not_before + datetime.timedelta(days=30 if expired else 90)
    host = f"host{i}.svc{i % 97}.example.com"
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(issuer).public_key(leaf_key.public_key()).serial_number(serial)
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.KeyUsage(True, False, True, False, True, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host), x509.DNSName(f"alt{i}.example.com")]), critical=False)
            .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.37476.9000.64.1"),
                                                      provisioner_extension(ptype, pname, kid)), critical=False)
            .sign(issuer_key, hashes.SHA256()))
    key = str(serial).encode()
    certs.append((key, cert.public_bytes(serialization.Encoding.DER)))
    if i % 1000 != 999:
        pid = f"{pname}:{kid}" if ptype_name == "JWK" else f"acme/{pname}"
        data.append((key, json.dumps({"provisioner": {"id": pid, "name": pname, "type": ptype_name}},
                                     separators=(",", ":")).encode()))
    if i % 100 == 50:
        revoked.append((key, json.dumps({
            "Serial": str(serial), "ProvisionerID": "", "ReasonCode": 4, "Reason": "superseded",
            "RevokedAt": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ExpiresAt": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"), "TokenID": "", "MTLS": False, "ACME": False},
            separators=(",", ":")).encode()))
    if len(certs) >= 5000:
        flush()
flush()
db.commit()
db.close()
PY

printf '%-9s %-6s %9s %10s %12s %11s\n' certs format seconds rows/s "max RSS MB" "output MB"
for count in $COUNTS; do
    dir="$WORK/ca-$count"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r Tests/Fixtures/step-ca-0.19/steppath "$dir/steppath"
    python3 - "$dir/steppath/config/ca.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["db"] = {"type": "sqlite", "dataSource": "db/ca.db"}
json.dump(config, open(path, "w"), indent="\t")
PY
    mkdir -p "$dir/steppath/db"
    python3 "$WORK/fill.py" "$dir/steppath/db/ca.db" "$count"
    for format in jsonl csv; do
        out="$dir/export.$format"
        STEPPATH="$dir/steppath" /usr/bin/time -v -o "$dir/time.txt" \
            "$BIN/step-ca" db export --plugin-dir "$BIN" --format "$format" --output "$out" --quiet
        seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$dir/time.txt")
        rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time.txt")
        lines=$(wc -l < "$out")
        expected=$([[ $format == csv ]] && echo $((count + 1)) || echo "$count")
        [[ "$lines" == "$expected" ]] || { echo "export of $count wrote $lines lines, expected $expected" >&2; exit 1; }
        awk -v c="$count" -v f="$format" -v s="$seconds" -v r="$rss_kb" -v o="$(stat -c %s "$out")" \
            'BEGIN { printf "%-9d %-6s %9.2f %10.0f %12.1f %11.1f\n", c, f, s, c / s, r / 1024, o / 1048576 }'
    done
    rm -f "$dir"/export.*
done
