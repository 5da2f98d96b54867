#!/usr/bin/env python3
"""Checks the Key Vault test server with Microsoft's own SDK (azure-keyvault-keys + azure-identity).

Reads AZURE_KV_URL, AZURE_KV_CA, AZURE_KV_AUTHORITY_HOST, AZURE_KV_TENANT_ID, AZURE_KV_CLIENT_ID,
AZURE_KV_CLIENT_SECRET, AZURE_KV_IMDS_HOST and AZURE_KV_MI_CLIENT_ID (the server's env file).
Through ClientSecretCredential (MSAL: OpenID discovery, client-credentials grant) and the Key
Vault challenge: creates EC (P-256, P-384, P-521, EC-HSM) and RSA keys, gets them, lists them,
signs digests with CryptographyClient (ES256/ES384/ES512, RS256, PS256), verifies every signature
with `cryptography`, and checks that a missing key raises ResourceNotFoundError, a wrong secret
ClientAuthenticationError, a bad algorithm HttpResponseError 400, and that ManagedIdentityCredential
(IMDS, AZURE_POD_IDENTITY_AUTHORITY_HOST) gets a token the vault accepts.
Prints one line per check and "azurekv sdk check: OK" at the end; exits 1 on the first failure.
"""
import hashlib
import os
import secrets
import sys

os.environ["REQUESTS_CA_BUNDLE"] = os.environ["AZURE_KV_CA"]  # azure-core and MSAL use requests
os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = os.environ["AZURE_KV_IMDS_HOST"]

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError  # noqa: E402
from azure.identity import ClientSecretCredential, ManagedIdentityCredential  # noqa: E402
from azure.keyvault.keys import KeyClient, KeyCurveName, KeyType  # noqa: E402
from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils  # noqa: E402

VAULT = os.environ["AZURE_KV_URL"]
AUTHORITY = os.environ["AZURE_KV_AUTHORITY_HOST"]
TENANT = os.environ["AZURE_KV_TENANT_ID"]
CLIENT = os.environ["AZURE_KV_CLIENT_ID"]
SECRET = os.environ["AZURE_KV_CLIENT_SECRET"]
MI_CLIENT = os.environ["AZURE_KV_MI_CLIENT_ID"]


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def b2i(data: bytes) -> int:
    return int.from_bytes(data, "big")


def public_key(jwk):
    """The `cryptography` public key of a JsonWebKey."""
    if jwk.kty in ("EC", "EC-HSM"):
        curve = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}[str(jwk.crv.value if hasattr(jwk.crv, "value") else jwk.crv)]
        return ec.EllipticCurvePublicNumbers(b2i(jwk.x), b2i(jwk.y), curve()).public_key()
    return rsa.RSAPublicNumbers(b2i(jwk.e), b2i(jwk.n)).public_key()


def credential(secret=SECRET):
    return ClientSecretCredential(TENANT, CLIENT, secret, authority=AUTHORITY, disable_instance_discovery=True)


def main():
    client = KeyClient(VAULT, credential(), verify_challenge_resource=False)
    suffix = secrets.token_hex(4)
    cases = [
        ("ec256", dict(key_type=KeyType.ec, curve=KeyCurveName.p_256), SignatureAlgorithm.es256, hashlib.sha256, hashes.SHA256),
        ("ec384", dict(key_type=KeyType.ec, curve=KeyCurveName.p_384), SignatureAlgorithm.es384, hashlib.sha384, hashes.SHA384),
        ("ec521", dict(key_type=KeyType.ec, curve=KeyCurveName.p_521), SignatureAlgorithm.es512, hashlib.sha512, hashes.SHA512),
        ("echsm", dict(key_type=KeyType.ec_hsm, curve=KeyCurveName.p_256), SignatureAlgorithm.es256, hashlib.sha256, hashes.SHA256),
        ("rsa-pkcs1", dict(key_type=KeyType.rsa, size=2048), SignatureAlgorithm.rs256, hashlib.sha256, hashes.SHA256),
        ("rsa-pss", dict(key_type=KeyType.rsa_hsm, size=3072), SignatureAlgorithm.ps256, hashlib.sha256, hashes.SHA256),
    ]
    for label, options, algorithm, hasher, hash_type in cases:
        name = f"sdk-{label}-{suffix}"
        key_type = options.pop("key_type")
        key = client.create_key(name, key_type, key_operations=["sign", "verify"], **options)
        check(key.name == name and key.key_type == key_type and key.id.startswith(f"{VAULT}/keys/{name}/")
              and len(key.properties.version) == 32 and key.properties.enabled
              and key.properties.recovery_level == "Recoverable+Purgeable" and key.properties.created_on is not None,
              f"create_key {name} ({key_type}): id, version, attributes")
        fetched = client.get_key(name)
        check(fetched.id == key.id and fetched.key.x == key.key.x and fetched.key.n == key.key.n,
              f"get_key {name} (latest) answers the created version")
        check(client.get_key(name, key.properties.version).id == key.id, f"get_key {name} with its version")
        message = b"swift-step-ca " + label.encode()
        digest = hasher(message).digest()
        crypto = CryptographyClient(key, credential(), verify_challenge_resource=False)
        result = crypto.sign(algorithm, digest)
        check(result.key_id == key.id and result.algorithm == algorithm, f"sign {name} {algorithm}: key id")
        pub = public_key(key.key)
        if isinstance(pub, ec.EllipticCurvePublicKey):
            size = (pub.curve.key_size + 7) // 8
            check(len(result.signature) == 2 * size, f"{name}: ECDSA signature is raw r||s ({2 * size} bytes)")
            der = utils.encode_dss_signature(b2i(result.signature[:size]), b2i(result.signature[size:]))
            pub.verify(der, digest, ec.ECDSA(utils.Prehashed(hash_type())))
        elif algorithm == SignatureAlgorithm.ps256:
            pub.verify(result.signature, message, padding.PSS(padding.MGF1(hash_type()), hash_type.digest_size), hash_type())
        else:
            pub.verify(result.signature, message, padding.PKCS1v15(), hash_type())
        check(True, f"{name}: signature verifies with cryptography")
        verified = crypto.verify(algorithm, digest, result.signature)
        check(verified.is_valid, f"{name}: the SDK's own verify accepts it")

    second = client.create_key(f"sdk-ec256-{suffix}", KeyType.ec, curve=KeyCurveName.p_256)
    versions = list(client.list_properties_of_key_versions(f"sdk-ec256-{suffix}"))
    check(len(versions) == 2 and second.properties.version in [v.version for v in versions],
          "create_key on an existing name adds a version (2 versions listed)")
    names = [k.name for k in client.list_properties_of_keys()]
    check(all(f"sdk-{case[0]}-{suffix}" in names for case in cases) and "seed-ec" in names,
          f"list_properties_of_keys lists {len(names)} keys")

    try:
        client.get_key(f"missing-{suffix}")
        check(False, "missing key raises ResourceNotFoundError")
    except ResourceNotFoundError as error:
        check(error.status_code == 404 and error.error.code == "KeyNotFound" and f"missing-{suffix}" in str(error),
              "missing key raises ResourceNotFoundError (404 KeyNotFound) naming the key")
    try:
        CryptographyClient(f"{VAULT}/keys/sdk-ec256-{suffix}/{second.properties.version}", credential(),
                           verify_challenge_resource=False).sign(SignatureAlgorithm.es384, hashlib.sha384(b"x").digest())
        check(False, "ES384 with a P-256 key raises HttpResponseError 400")
    except HttpResponseError as error:
        check(error.status_code == 400 and error.error.code == "BadParameter",
              "ES384 with a P-256 key raises HttpResponseError (400 BadParameter)")
    try:
        KeyClient(VAULT, credential("wrong-" + SECRET), verify_challenge_resource=False).get_key("seed-ec")
        check(False, "a wrong client secret raises ClientAuthenticationError")
    except ClientAuthenticationError as error:
        check("AADSTS7000215" in str(error), "a wrong client secret raises ClientAuthenticationError (AADSTS7000215)")

    managed = ManagedIdentityCredential(client_id=MI_CLIENT)
    token = managed.get_token("https://vault.azure.net/.default")
    check(token.token and token.expires_on > 0, "ManagedIdentityCredential (IMDS) gets a token")
    key = KeyClient(VAULT, managed, verify_challenge_resource=False).get_key("seed-ec")
    check(key.name == "seed-ec" and key.key.crv == KeyCurveName.p_256, "the vault accepts the managed identity's token")
    try:
        ManagedIdentityCredential(client_id="00000000-0000-0000-0000-000000000000").get_token(
            "https://vault.azure.net/.default")
        check(False, "an unknown managed identity raises")
    except (ClientAuthenticationError, Exception) as error:  # CredentialUnavailableError or ClientAuthenticationError
        check("Identity not found" in str(error) or "identity" in str(error).lower(),
              f"an unknown managed identity raises {type(error).__name__}")
    print("azurekv sdk check: OK")


if __name__ == "__main__":
    main()
