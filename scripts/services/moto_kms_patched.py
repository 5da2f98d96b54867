#!/usr/bin/env python3
"""moto_server with three KMS fidelity fixes (moto 5.2.x), then the normal server main():

 1. Sign/Verify honour MessageType=DIGEST (moto ignores it and hashes the digest again,
    so a DIGEST signature does not verify against the original message).
 2. RSASSA_PSS_* use salt length = digest length, as AWS KMS does (moto uses MAX_LENGTH).
 3. GetPublicKey also returns "KeySpec" (moto returns only the deprecated
    "CustomerMasterKeySpec").
Used by moto.sh. Usage: python moto_kms_patched.py -H 127.0.0.1 -p PORT   (same flags as moto_server)
"""
import contextvars, json, sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils as au
import moto.kms.responses as R
import moto.kms.utils as U

_digest = contextvars.ContextVar("kms_digest", default=False)
HASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def _hash(alg):
    return HASH[alg[-3:]]()


def _wrap_response(name):
    orig = getattr(R.KmsResponse, name)

    def f(self):
        tok = _digest.set((self._get_param("MessageType") or "RAW") == "DIGEST")
        try:
            return orig(self)
        finally:
            _digest.reset(tok)
    setattr(R.KmsResponse, name, f)


def _algo(h):
    return au.Prehashed(h) if _digest.get() else h


def rsa_pad(alg):
    h = _hash(alg)
    if "PSS" in alg:
        return padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h
    return padding.PKCS1v15(), h


def rsa_sign(self, message, alg):
    U.validate_signing_algorithm(alg, U.SigningAlgorithm.rsa_signing_algorithms())
    pad, h = rsa_pad(alg)
    return self.private_key.sign(message, pad, _algo(h))


def rsa_verify(self, message, signature, alg):
    U.validate_signing_algorithm(alg, U.SigningAlgorithm.rsa_signing_algorithms())
    pad, h = rsa_pad(alg)
    try:
        self.private_key.public_key().verify(signature, message, pad, _algo(h))
        return True
    except Exception:
        return False


def ec_sign(self, message, alg):
    U.validate_signing_algorithm(alg, self.valid_signing_algorithms)
    return self.private_key.sign(message, ec.ECDSA(_algo(_hash(alg))))


def ec_verify(self, message, signature, alg):
    U.validate_signing_algorithm(alg, self.valid_signing_algorithms)
    try:
        self.private_key.public_key().verify(signature, message, ec.ECDSA(_algo(_hash(alg))))
        return True
    except Exception:
        return False


_wrap_response("sign")
_wrap_response("verify")
U.RSAPrivateKey.sign, U.RSAPrivateKey.verify = rsa_sign, rsa_verify
U.ECDSAPrivateKey.sign, U.ECDSAPrivateKey.verify = ec_sign, ec_verify

_orig_gpk = R.KmsResponse.get_public_key


def get_public_key(self):
    d = json.loads(_orig_gpk(self))
    d.setdefault("KeySpec", d.get("CustomerMasterKeySpec"))
    return json.dumps(d)


R.KmsResponse.get_public_key = get_public_key

if __name__ == "__main__":
    from moto.server import main
    sys.exit(main(sys.argv[1:]))
