#!/usr/bin/env bash
# Builds everything and runs every test. On a fresh Debian 12 machine (as root) it first
# installs what it needs. Services needed by tests are started here and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

# Throwaway PostgreSQL and MariaDB servers on loopback for the database plugins' tests,
# stopped again however this script ends. Their data lives under $INFRA_DIR.
export INFRA_DIR=${INFRA_DIR:-/tmp/stepca-services}
stop_services() {
  ./scripts/services/postgres.sh stop || true
  ./scripts/services/mariadb.sh stop || true
  ./scripts/services/moto.sh stop || true
  ./scripts/services/gcpkms.sh stop || true
  ./scripts/services/azurekv.sh stop || true
  ./scripts/services/piv-vcard.sh stop || true
}
trap stop_services EXIT
echo "== database servers"
stop_services
rm -rf "$INFRA_DIR/postgres" "$INFRA_DIR/mariadb"
eval "$(./scripts/services/postgres.sh start)"
eval "$(./scripts/services/mariadb.sh start)"
export PG_DSN MY_DSN
# pcscd with two virtual YubiKeys (PC/SC allows one pcscd per machine); the YubiKey tests
# reset the cards' state themselves.
echo "== pcscd and virtual PIV cards"
./scripts/services/piv-vcard.sh stop
eval "$(./scripts/services/piv-vcard.sh start)"
./scripts/services/piv-vcard.sh smoke

# moto emulates AWS KMS with SigV4 checking on (kms-aws plugin tests: MOTO_ENDPOINT and the
# access key of an IAM user it creates).
echo "== AWS KMS emulator (moto)"
./scripts/services/moto.sh stop
eval "$(./scripts/services/moto.sh start)"
export MOTO_ENDPOINT MOTO_REGION MOTO_ACCESS_KEY_ID MOTO_SECRET_ACCESS_KEY

# The Azure Key Vault test server, checked with Microsoft's own SDK before anything uses it (the
# Swift tests start servers of their own from the same script).
echo "== Azure Key Vault test server (azurekv_fake.py, checked with azure-keyvault-keys)"
./scripts/services/azurekv.sh stop
./scripts/services/azurekv.sh start >/dev/null
./scripts/services/azurekv.sh smoke | tail -1

# The Cloud KMS test server, checked with Google's own SDK (google-cloud-kms) before anything uses
# it; the Swift tests start servers of their own from the same script.
echo "== Cloud KMS test server (gcpkms_fake.py, checked with google-cloud-kms)"
./scripts/services/gcpkms.sh stop
./scripts/services/gcpkms.sh start >/dev/null
./scripts/services/gcpkms.sh smoke | tail -1
./scripts/services/gcpkms.sh stop

echo "== build (host, plugins, tests)"
swift build --build-tests

echo "== plain-C plugin example"
make -C examples/c-memdb clean >/dev/null
make -C examples/c-memdb check

echo "== plain-C KMS plugin example"
make -C examples/c-filekms clean >/dev/null
make -C examples/c-filekms
make -C examples/c-filekms test
exports=$(nm -D --defined-only examples/c-filekms/libstepca-kms-filekms.so | awk '{print $NF}')
[ "$exports" = "stepca_plugin_entry" ] || { echo "libstepca-kms-filekms.so exports: $exports" >&2; exit 1; }

echo "== plugin isolation"
bin=$(swift build --show-bin-path)
for plugin in sqlite postgres mysql; do
  [ -f "$bin/libstepca-db-$plugin.so" ] || { echo "libstepca-db-$plugin.so was not built" >&2; exit 1; }
done
for plugin in yubikey; do
  [ -f "$bin/libstepca-kms-$plugin.so" ] || { echo "libstepca-kms-$plugin.so was not built" >&2; exit 1; }
done
# The YubiKey plugin loads libpcsclite at run time: neither it nor step-ca links it.
if ldd "$bin/libstepca-kms-yubikey.so" | grep -E 'libpcsclite'; then
  echo "libstepca-kms-yubikey.so links libpcsclite; it must load it with dlopen" >&2
  exit 1
fi
for plugin in pkcs11 aws; do
  [ -f "$bin/libstepca-kms-$plugin.so" ] || { echo "libstepca-kms-$plugin.so was not built" >&2; exit 1; }
done
# The Cloud KMS plugin (its tests start their own test server, scripts/services/gcpkms_fake.py);
# step-ca loads it only through dlopen.
[ -f "$bin/libstepca-kms-gcp.so" ] || { echo "libstepca-kms-gcp.so was not built" >&2; exit 1; }
if ldd "$bin/step-ca" | grep -F 'libstepca-kms-gcp'; then
  echo "step-ca links libstepca-kms-gcp.so; plugins are loaded at run time" >&2
  exit 1
fi
# The Azure Key Vault plugin (its tests start their own test server, scripts/services/azurekv_fake.py);
# step-ca loads it only through dlopen.
[ -f "$bin/libstepca-kms-azure.so" ] || { echo "libstepca-kms-azure.so was not built" >&2; exit 1; }
if ldd "$bin/step-ca" | grep -F 'libstepca-kms-azure'; then
  echo "step-ca links libstepca-kms-azure.so; plugins are loaded at run time" >&2
  exit 1
fi
# The PKCS#11 plugin dlopen()s the module named in ca.json: it links neither p11-kit nor SoftHSM.
if ldd "$bin/libstepca-kms-pkcs11.so" | grep -E 'lib(p11-kit|softhsm2)\.so'; then
  echo "libstepca-kms-pkcs11.so links a PKCS#11 library; modules are loaded at run time" >&2
  exit 1
fi
if ldd "$bin/step-ca" | grep -E 'lib(sqlite3|pq|mariadb|mysqlclient|pcsclite|p11-kit|softhsm2)\.so'; then
  echo "step-ca links a backend library; backends belong in plugins" >&2
  exit 1
fi
for plugin in "$bin"/libstepca-*.so; do
  count=$(nm -D --defined-only "$plugin" | wc -l)
  if [ "$count" -ne 1 ]; then
    echo "$plugin exports $count symbols; a plugin exports only stepca_plugin_entry" >&2
    exit 1
  fi
done

# The virtual YubiKeys are single devices shared by two suites, each of which resets them: the
# tests that use them run one suite at a time, after everything else.
echo "== swift test"
swift test --skip-build --skip 'YubiKey|yubiKeyWorkflow'
echo "== swift test (PC/SC: the YubiKey plugin suite)"
swift test --skip-build --filter 'YubiKey'
echo "== swift test (PC/SC: the seed workflow on a virtual YubiKey)"
swift test --skip-build --filter 'yubiKeyWorkflow'
