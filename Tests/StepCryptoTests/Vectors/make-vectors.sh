#!/bin/sh
# Regenerates the key-file test vectors with OpenSSL 3, OpenSSH and Python 3
# (packages: cryptography, bcrypt, joserfc). The keys are test-only.
# Run from this directory: ./make-vectors.sh
set -eu
exec 2> /dev/null  # OpenSSL progress dots
PW=vector-password
LEGACY="-provider legacy -provider default"
rm -rf keys && mkdir keys && cd keys

# Base keys from OpenSSL.
for c in 256:prime256v1 384:secp384r1 521:secp521r1; do
  bits=${c%%:*}; name=${c#*:}
  openssl ecparam -genkey -name "$name" -noout -out ec$bits.sec1.pem
  openssl pkey -in ec$bits.sec1.pem -pubout -out ec$bits.public.pem
  openssl pkcs8 -topk8 -nocrypt -in ec$bits.sec1.pem -out ec$bits.pkcs8.pem
  openssl ec -in ec$bits.sec1.pem -aes256 -passout pass:$PW -out ec$bits.legacy-aes256.pem
  openssl pkcs8 -topk8 -in ec$bits.sec1.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 2048 -passout pass:$PW -out ec$bits.pkcs8-aes256-sha256.pem
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pkcs8.pem
openssl pkey -in rsa2048.pkcs8.pem -pubout -out rsa2048.public.pem
openssl rsa -in rsa2048.pkcs8.pem -traditional -out rsa2048.pkcs1.pem
openssl genpkey -algorithm ed25519 -out ed25519.pkcs8.pem
openssl pkey -in ed25519.pkcs8.pem -pubout -out ed25519.public.pem

# SEC 1 variants: after an EC PARAMETERS block; without the embedded public key.
{ openssl ecparam -name prime256v1; cat ec256.sec1.pem; } > ec256.sec1-with-params.pem
openssl ec -in ec256.sec1.pem -no_public -out ec256.sec1-no-public.pem

# Legacy encrypted PEM (RFC 1423) with every cipher.
openssl ec -in ec256.sec1.pem -aes128 -passout pass:$PW -out ec256.legacy-aes128.pem
openssl ec -in ec256.sec1.pem -aes192 -passout pass:$PW -out ec256.legacy-aes192.pem
openssl ec -in ec256.sec1.pem -des3 -passout pass:$PW -out ec256.legacy-des3.pem
openssl ec -in ec256.sec1.pem -des $LEGACY -passout pass:$PW -out ec256.legacy-des.pem
openssl rsa -in rsa2048.pkcs1.pem -traditional -aes256 -passout pass:$PW -out rsa2048.legacy-aes256.pem
openssl rsa -in rsa2048.pkcs1.pem -traditional -aes128 -passout pass:$PW -out rsa2048.legacy-aes128.pem
openssl rsa -in rsa2048.pkcs1.pem -traditional -des3 -passout pass:$PW -out rsa2048.legacy-des3.pem
openssl rsa -in rsa2048.pkcs1.pem -traditional -des $LEGACY -passout pass:$PW -out rsa2048.legacy-des.pem

# Encrypted PKCS #8 (PBES2) with each PRF and cipher.
p8() { openssl pkcs8 -topk8 -in "$1" -passout pass:$PW -out "$2" $3; }
p8 ec256.sec1.pem ec256.pkcs8-aes128-sha1.pem "-v2 aes-128-cbc -v2prf hmacWithSHA1 -iter 2048"
p8 ec256.sec1.pem ec256.pkcs8-aes192-sha384.pem "-v2 aes-192-cbc -v2prf hmacWithSHA384 -iter 2048"
p8 ec256.sec1.pem ec256.pkcs8-aes256-sha512.pem "-v2 aes-256-cbc -v2prf hmacWithSHA512 -iter 2048"
p8 ec256.sec1.pem ec256.pkcs8-des3-sha256.pem "-v2 des3 -v2prf hmacWithSHA256 -iter 2048"
p8 ec256.sec1.pem ec256.pkcs8-scrypt-aes256.pem "-scrypt"
p8 rsa2048.pkcs8.pem rsa2048.pkcs8-aes256-sha256.pem "-v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 2048"
p8 rsa2048.pkcs8.pem rsa2048.pkcs8-des3-sha1.pem "-v2 des3 -v2prf hmacWithSHA1 -iter 2048"
p8 ed25519.pkcs8.pem ed25519.pkcs8-aes256-sha256.pem "-v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 2048"
p8 ed25519.pkcs8.pem ed25519.pkcs8-aes128-sha1.pem "-v2 aes-128-cbc -v2prf hmacWithSHA1 -iter 2048"
# PKCS #12 password-based encryption, not PBES2 (unsupported on purpose).
openssl pkcs8 -topk8 -in ec256.sec1.pem -v1 PBE-SHA1-3DES -passout pass:$PW -out ec256.pkcs8-pbe-sha1-3des.unsupported.pem
# Algorithms and sizes the reader rejects on purpose.
openssl ecparam -genkey -name secp256k1 -noout -out secp256k1.sec1.unsupported.pem
openssl genpkey -algorithm ed448 -out ed448.pkcs8.unsupported.pem
openssl genpkey -algorithm x25519 -out x25519.pkcs8.unsupported.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pkcs8.unsupported.pem
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.params
openssl genpkey -paramfile dsa.params -out dsa.pkcs8.unsupported.pem
openssl pkey -in dsa.pkcs8.unsupported.pem -traditional -out dsa.traditional.unsupported.pem
rm dsa.params

# OpenSSH keys from ssh-keygen (their own keys), then re-encrypted with `ssh-keygen -p`.
# The expected public key comes from the .pub file, converted by Python's cryptography.
for t in ecdsa:256:sshec256 ecdsa:384:sshec384 ecdsa:521:sshec521 ed25519::sshed25519 rsa:2048:sshrsa2048; do
  type=${t%%:*}; rest=${t#*:}; bits=${rest%%:*}; name=${rest#*:}
  ssh-keygen -q -t "$type" ${bits:+-b $bits} -C "vector $name" -N "" -f "$name.openssh.pem"
  mv "$name.openssh.pem.pub" "$name.pub"
  python3 - "$name.pub" "$name.public.pem" <<'PY'
import sys
from cryptography.hazmat.primitives import serialization as s
key = s.load_ssh_public_key(open(sys.argv[1], "rb").read())
open(sys.argv[2], "wb").write(key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))
PY
done
reencrypt() {  # name cipher rounds [label]
  out="$1.openssh-${4:-$2}.pem"
  cp "$1.openssh.pem" "$out"
  ssh-keygen -q -p -P "" -N "$PW" -Z "$2" -a "$3" -f "$out" > /dev/null
}
reencrypt sshec256 aes256-ctr 16
reencrypt sshec384 aes256-ctr 8
reencrypt sshec521 aes256-cbc 8
reencrypt sshed25519 aes256-ctr 16
reencrypt sshed25519 aes256-cbc 8
reencrypt sshed25519 aes128-ctr 8
reencrypt sshed25519 aes256-gcm@openssh.com 8 aes256-gcm
reencrypt sshrsa2048 aes256-ctr 8
cd ..

# Known answers for the hand-written primitives, from independent implementations.
python3 - <<'PY'
import json, os, bcrypt
from cryptography.hazmat.decrepit.ciphers.algorithms import Blowfish, TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes
def ecb(alg, key, block):
    e = Cipher(alg(key), modes.ECB()).encryptor()
    return (e.update(block) + e.finalize()).hex()
rnd = lambda n: os.urandom(n)
out = {"des": [], "tripleDES": [], "blowfish": [], "bcryptPBKDF": []}
for _ in range(4):
    k, b = rnd(8), rnd(8)
    out["des"].append({"key": k.hex(), "plaintext": b.hex(), "ciphertext": ecb(TripleDES, k * 3, b)})
    k = rnd(24)
    out["tripleDES"].append({"key": k.hex(), "plaintext": b.hex(), "ciphertext": ecb(TripleDES, k, b)})
for n in (4, 8, 16, 56):
    k, b = rnd(n), rnd(8)
    out["blowfish"].append({"key": k.hex(), "plaintext": b.hex(), "ciphertext": ecb(Blowfish, k, b)})
for pw, salt, rounds, n in ((b"password", b"salt", 4, 32), (b"vector-password", rnd(16), 16, 48), (b"\x00\x01", rnd(8), 2, 11)):
    key = bcrypt.kdf(password=pw, salt=salt, desired_key_bytes=n, rounds=rounds, ignore_few_rounds=True)
    out["bcryptPBKDF"].append({"password": pw.hex(), "salt": salt.hex(), "rounds": rounds, "key": key.hex()})
json.dump(out, open("primitives.json", "w"), indent=2)
PY

# JWEs from joserfc for the algorithm combinations step does not write.
python3 - <<'PY'
import json
from joserfc import jwe
from joserfc.jwk import OctKey
pw = b"vector-password"
cases = [("PBES2-HS256+A128KW", "A128GCM"), ("PBES2-HS384+A192KW", "A192GCM"), ("PBES2-HS512+A256KW", "A256GCM"),
         ("PBES2-HS256+A128KW", "A128CBC-HS256"), ("PBES2-HS384+A192KW", "A192CBC-HS384"), ("PBES2-HS512+A256KW", "A256CBC-HS512")]
out = []
for alg, enc in cases:
    plaintext = f"plaintext for {alg} {enc}".encode()
    token = jwe.encrypt_compact({"alg": alg, "enc": enc, "p2c": 4096}, plaintext, OctKey.import_key(pw), algorithms=[alg, enc])
    out.append({"alg": alg, "enc": enc, "compact": token, "plaintext": plaintext.decode()})
json.dump(out, open("jwe-joserfc.json", "w"), indent=2)
PY
