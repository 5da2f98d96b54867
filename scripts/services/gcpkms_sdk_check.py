#!/usr/bin/env python3
"""Checks the Cloud KMS test server with Google's own SDK (google-cloud-kms, REST transport).

Reads GCP_KMS_ENDPOINT, GCP_KMS_CA, GCP_KMS_PROJECT, GCP_KMS_LOCATION and GCP_KMS_CREDENTIALS
(the server's env file). Creates a key ring and keys, reads public keys, signs digests, verifies
the signatures with `cryptography`, and checks that a missing key raises NotFound, a foreign
project Forbidden, and that google-auth's JWT-bearer grant on token_uri returns a token.
Prints one line per check and "gcpkms sdk check: OK" at the end; exits 1 on the first failure.
"""
import hashlib
import os
import secrets
import sys
import time

os.environ["REQUESTS_CA_BUNDLE"] = os.environ["GCP_KMS_CA"]  # requests (google-auth, REST transport)

import google.auth.transport.requests  # noqa: E402
from google.api_core import exceptions  # noqa: E402
from google.cloud import kms  # noqa: E402
from google.oauth2 import service_account  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils  # noqa: E402

ENDPOINT = os.environ["GCP_KMS_ENDPOINT"]
PROJECT = os.environ["GCP_KMS_PROJECT"]
LOCATION = os.environ.get("GCP_KMS_LOCATION", "global")
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit."""
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
    return c ^ 0xFFFFFFFF


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def main():
    credentials = service_account.Credentials.from_service_account_file(
        os.environ["GCP_KMS_CREDENTIALS"], scopes=SCOPES)
    # The OAuth2 JWT-bearer grant on the file's token_uri (the KMS client itself sends a self-signed JWT).
    credentials.refresh(google.auth.transport.requests.Request())
    check(credentials.token and credentials.expiry is not None, "jwt-bearer grant at token_uri returned a token")

    client = kms.KeyManagementServiceClient(
        credentials=service_account.Credentials.from_service_account_file(
            os.environ["GCP_KMS_CREDENTIALS"], scopes=SCOPES),
        client_options={"api_endpoint": ENDPOINT}, transport="rest")
    parent = f"projects/{PROJECT}/locations/{LOCATION}"
    ring_id = "sdk-" + secrets.token_hex(4)
    ring = client.create_key_ring(request={"parent": parent, "key_ring_id": ring_id, "key_ring": {}})
    check(ring.name == f"{parent}/keyRings/{ring_id}", f"create_key_ring {ring.name}")
    check(client.get_key_ring(name=ring.name).name == ring.name, "get_key_ring")
    check(ring.name in [r.name for r in client.list_key_rings(request={"parent": parent})], "list_key_rings")
    try:
        client.create_key_ring(request={"parent": parent, "key_ring_id": ring_id, "key_ring": {}})
        check(False, "duplicate key ring raises Conflict (409 ALREADY_EXISTS)")
    except exceptions.Conflict:
        check(True, "duplicate key ring raises Conflict (409 ALREADY_EXISTS)")

    A = kms.CryptoKeyVersion.CryptoKeyVersionAlgorithm
    cases = [("ec256", A.EC_SIGN_P256_SHA256, hashlib.sha256, "sha256"),
             ("ec384", A.EC_SIGN_P384_SHA384, hashlib.sha384, "sha384"),
             ("rsa-pkcs1", A.RSA_SIGN_PKCS1_2048_SHA256, hashlib.sha256, "sha256"),
             ("rsa-pss", A.RSA_SIGN_PSS_2048_SHA256, hashlib.sha256, "sha256")]
    for key_id, algorithm, hasher, field in cases:
        key = client.create_crypto_key(request={
            "parent": ring.name, "crypto_key_id": key_id,
            "crypto_key": {"purpose": kms.CryptoKey.CryptoKeyPurpose.ASYMMETRIC_SIGN,
                           "version_template": {"algorithm": algorithm,
                                                "protection_level": kms.ProtectionLevel.SOFTWARE}}})
        check(key.name == f"{ring.name}/cryptoKeys/{key_id}" and key.version_template.algorithm == algorithm,
              f"create_crypto_key {key_id} ({algorithm.name})")
        version_name = f"{key.name}/cryptoKeyVersions/1"
        for _ in range(50):  # a new version is PENDING_GENERATION for a moment
            version = client.get_crypto_key_version(name=version_name)
            if version.state == kms.CryptoKeyVersion.CryptoKeyVersionState.ENABLED:
                break
            time.sleep(0.05)
        check(version.state == kms.CryptoKeyVersion.CryptoKeyVersionState.ENABLED, f"{key_id} version 1 ENABLED")
        public = client.get_public_key(request={"name": version_name})
        check(public.algorithm == algorithm and public.pem_crc32c == crc32c(public.pem.encode()),
              f"get_public_key {key_id}: algorithm and pem_crc32c")
        public_key = serialization.load_pem_public_key(public.pem.encode())
        message = b"swift-step-ca " + key_id.encode()
        digest = hasher(message).digest()
        response = client.asymmetric_sign(request={
            "name": version_name, "digest": {field: digest}, "digest_crc32c": crc32c(digest)})
        check(response.verified_digest_crc32c and response.name == version_name
              and response.signature_crc32c == crc32c(response.signature),
              f"asymmetric_sign {key_id}: verified_digest_crc32c, name, signature_crc32c")
        hash_algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}[field]
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(response.signature, digest, ec.ECDSA(utils.Prehashed(hash_algorithm)))
        elif "PSS" in algorithm.name:
            public_key.verify(response.signature, message,
                              padding.PSS(padding.MGF1(hash_algorithm), hash_algorithm.digest_size), hash_algorithm)
        else:
            public_key.verify(response.signature, message, padding.PKCS1v15(), hash_algorithm)
        check(True, f"{key_id} signature verifies with cryptography")

    keys = [k.name for k in client.list_crypto_keys(request={"parent": ring.name})]
    check(len(keys) == len(cases), f"list_crypto_keys: {len(keys)} keys")
    version = client.create_crypto_key_version(request={"parent": f"{ring.name}/cryptoKeys/ec256",
                                                        "crypto_key_version": {}})
    check(version.name.endswith("/cryptoKeyVersions/2"), "create_crypto_key_version numbers the next version")
    versions = list(client.list_crypto_key_versions(request={"parent": f"{ring.name}/cryptoKeys/ec256"}))
    check(len(versions) == 2, "list_crypto_key_versions: 2 versions")

    missing = f"{ring.name}/cryptoKeys/missing/cryptoKeyVersions/1"
    try:
        client.get_public_key(request={"name": missing})
        check(False, "missing key raises NotFound")
    except exceptions.NotFound as error:
        check(missing in str(error), "missing key raises NotFound naming the key")
    try:
        client.asymmetric_sign(request={"name": f"{ring.name}/cryptoKeys/ec256/cryptoKeyVersions/1",
                                        "digest": {"sha384": hashlib.sha384(b"x").digest()}})
        check(False, "wrong digest type raises BadRequest (400 INVALID_ARGUMENT)")
    except exceptions.BadRequest:
        check(True, "wrong digest type raises BadRequest (400 INVALID_ARGUMENT)")
    try:
        client.get_key_ring(name=f"projects/someone-else/locations/{LOCATION}/keyRings/{ring_id}")
        check(False, "foreign project raises Forbidden (403 PERMISSION_DENIED)")
    except exceptions.Forbidden:
        check(True, "foreign project raises Forbidden (403 PERMISSION_DENIED)")
    print("gcpkms sdk check: OK")


if __name__ == "__main__":
    main()
