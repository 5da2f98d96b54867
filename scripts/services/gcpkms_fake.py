#!/usr/bin/env python3
"""A Google Cloud KMS test server: the REST v1 surface step-ca uses, field by field.

No emulator of Cloud KMS exists, so the tests run against this one. It speaks the public API as
google-cloud-kms's REST transport and google-auth send it (proto3 JSON mapping: lowerCamelCase,
bytes as standard base64, int64 as decimal strings; enums accepted as names or numbers):

  POST /token                                     OAuth2 JWT-bearer grant (RFC 7523)
  GET|POST /v1/projects/P/locations/L/keyRings    list / create (?keyRingId=)
  GET  /v1/.../keyRings/R                         get
  GET|POST /v1/.../keyRings/R/cryptoKeys          list / create (?cryptoKeyId=)
  GET  /v1/.../cryptoKeys/K                       get
  GET|POST /v1/.../cryptoKeys/K/cryptoKeyVersions list / create
  GET  /v1/.../cryptoKeyVersions/N                get
  GET  /v1/.../cryptoKeyVersions/N/publicKey      getPublicKey
  POST /v1/.../cryptoKeyVersions/N:asymmetricSign asymmetricSign

Keys are real (Python `cryptography`), state is in memory. HTTPS with a CA of its own. At start
it writes into --dir: ca.pem, credentials.json (a service account whose token_uri is this
server), and env (shell exports; written last, so its presence means "ready"). Two keys exist from
the start (key ring "seed": ec-p256, rsa-2048; their version names are in env).

Every /v1 call needs `Authorization: Bearer T`, where T is an access token from /token or a
self-signed service-account JWT (what google-cloud-kms sends). Only the credentials' project is
accessible; others answer PERMISSION_DENIED. Errors: {"error":{"code","message","status"}}.

Test controls (no authentication; a test server only):
  POST /admin/token-ttl?seconds=N    lifetime of tokens issued from now on
  POST /admin/fail?status=503&count=N  answer the next N /v1 calls with that status
  GET  /admin/stats                  {"tokenGrants": n, "signs": n, "requests": n}
"""
import argparse
import base64
import datetime
import ipaddress
import json
import os
import re
import secrets
import signal
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

from fake_tls import TLSServer

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GOOGLE_TOKEN_AUD = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

PURPOSES = {"ENCRYPT_DECRYPT": 1, "ASYMMETRIC_SIGN": 5, "ASYMMETRIC_DECRYPT": 6,
            "RAW_ENCRYPT_DECRYPT": 7, "MAC": 9}
PROTECTION = {"SOFTWARE": 1, "HSM": 2, "EXTERNAL": 3, "EXTERNAL_VPC": 4}
# name -> (enum number, key kind, parameter, hash, padding)
ALGORITHMS = {
    "RSA_SIGN_PSS_2048_SHA256": (2, "rsa", 2048, "sha256", "pss"),
    "RSA_SIGN_PSS_3072_SHA256": (3, "rsa", 3072, "sha256", "pss"),
    "RSA_SIGN_PSS_4096_SHA256": (4, "rsa", 4096, "sha256", "pss"),
    "RSA_SIGN_PSS_4096_SHA512": (15, "rsa", 4096, "sha512", "pss"),
    "RSA_SIGN_PKCS1_2048_SHA256": (5, "rsa", 2048, "sha256", "pkcs1"),
    "RSA_SIGN_PKCS1_3072_SHA256": (6, "rsa", 3072, "sha256", "pkcs1"),
    "RSA_SIGN_PKCS1_4096_SHA256": (7, "rsa", 4096, "sha256", "pkcs1"),
    "RSA_SIGN_PKCS1_4096_SHA512": (16, "rsa", 4096, "sha512", "pkcs1"),
    "EC_SIGN_P256_SHA256": (12, "ec", ec.SECP256R1, "sha256", None),
    "EC_SIGN_P384_SHA384": (13, "ec", ec.SECP384R1, "sha384", None),
}
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED",
                500: "INTERNAL", 503: "UNAVAILABLE"}
PENDING_SECONDS = 0.2  # a new version is PENDING_GENERATION this long, as real KMS is briefly


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli), as Cloud KMS uses for its integrity fields."""
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def rfc3339(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: str = ""):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status or STATUS_NAMES.get(code, "UNKNOWN")


def enum_name(value, table, field):
    """Accepts an enum as its name or its number (the REST transport sends numbers)."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        for name, number in table.items():
            number = number[0] if isinstance(number, tuple) else number
            if number == int(value):
                return name
        raise ApiError(400, f"Invalid value at '{field}' ({value})")
    if value not in table:
        raise ApiError(400, f"Invalid value at '{field}' ({value})")
    return value


class State:
    """The server's in-memory resources, tokens and test controls."""

    def __init__(self, project, sa_public_key, sa_key_id, client_email, token_uri):
        self.lock = threading.Lock()
        self.project = project
        self.sa_public_key, self.sa_key_id, self.client_email = sa_public_key, sa_key_id, client_email
        self.token_uri = token_uri
        self.key_rings = {}   # name -> dict
        self.keys = {}        # name -> dict
        self.versions = {}    # name -> dict (with "_private" and "_created")
        self.tokens = {}      # token -> expiry
        self.token_ttl = 3599
        self.fail_status, self.fail_count = 0, 0
        self.stats = {"tokenGrants": 0, "signs": 0, "requests": 0}

    # --- authentication -------------------------------------------------------------------
    def verify_jwt(self, jwt: str, audiences) -> dict:
        """Checks an RS256 JWT signed by the service account; returns its claims."""
        try:
            head_b64, claims_b64, sig_b64 = jwt.split(".")
            header = json.loads(b64url_decode(head_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(sig_b64)
        except Exception as error:
            raise ApiError(400, f"malformed JWT: {error}")
        if header.get("alg") != "RS256":
            raise ApiError(400, f"unsupported JWT algorithm {header.get('alg')!r}")
        if "kid" in header and header["kid"] != self.sa_key_id:
            raise ApiError(400, "JWT kid does not name this service account's key")
        try:
            self.sa_public_key.verify(signature, f"{head_b64}.{claims_b64}".encode(),
                                      padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise ApiError(400, "Invalid JWT Signature.")
        if claims.get("iss") != self.client_email:
            raise ApiError(400, f"JWT iss {claims.get('iss')!r} is not the service account")
        now = time.time()
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] < now - 30:
            raise ApiError(400, "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
        if not isinstance(claims.get("iat"), (int, float)) or claims["iat"] > now + 60 or claims["exp"] - claims["iat"] > 3600:
            raise ApiError(400, "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
        if audiences is not None and claims.get("aud") not in audiences:
            raise ApiError(400, f"Invalid JWT audience {claims.get('aud')!r}")
        return claims

    def grant(self, assertion: str) -> dict:
        claims = self.verify_jwt(assertion, {GOOGLE_TOKEN_AUD, self.token_uri})
        if SCOPE not in str(claims.get("scope", "")).split():
            raise ApiError(400, "Invalid OAuth scope or ID token audience provided.")
        token = "ya29.fake-" + secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.time() + self.token_ttl
            self.stats["tokenGrants"] += 1
            ttl = self.token_ttl
        return {"access_token": token, "expires_in": ttl, "token_type": "Bearer"}

    def authenticate(self, header: str):
        if not header or not header.startswith("Bearer "):
            raise ApiError(401, "Request is missing required authentication credential. Expected OAuth 2 "
                                "access token, login cookie or other valid authentication credential.")
        token = header[len("Bearer "):].strip()
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is not None:
            if expiry < time.time():
                raise ApiError(401, "Request had invalid authentication credentials. The access token expired.")
            return
        if token.count(".") == 2:  # a self-signed service-account JWT (google-auth's jwt access)
            try:
                claims = self.verify_jwt(token, None)
            except ApiError as error:
                raise ApiError(401, f"Request had invalid authentication credentials. {error.message}")
            if claims.get("aud") not in (None, "https://cloudkms.googleapis.com/") and SCOPE not in str(claims.get("scope", "")):
                raise ApiError(401, "Request had invalid authentication credentials. Wrong audience.")
            return
        raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                            "login cookie or other valid authentication credential.")

    def check_project(self, project: str, permission: str, resource: str):
        if project != self.project:
            raise ApiError(403, f"Permission '{permission}' denied on resource '{resource}' (or it may not exist).")

    # --- resources ------------------------------------------------------------------------
    @staticmethod
    def public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def version_view(self, v: dict) -> dict:
        if v["state"] == "PENDING_GENERATION" and time.time() - v["_created"] >= PENDING_SECONDS:
            v["state"] = "ENABLED"
            v["generateTime"] = rfc3339(time.time())
        return self.public(v)

    def create_key_ring(self, parent: str, ring_id: str) -> dict:
        if not ring_id or not re.fullmatch(r"[a-zA-Z0-9_-]{1,63}", ring_id):
            raise ApiError(400, f"Invalid value for keyRingId ({ring_id!r}).")
        name = f"{parent}/keyRings/{ring_id}"
        with self.lock:
            if name in self.key_rings:
                raise ApiError(409, f"KeyRing {name} already exists.")
            ring = {"name": name, "createTime": rfc3339(time.time())}
            self.key_rings[name] = ring
            return dict(ring)

    def create_key(self, ring: str, key_id: str, body: dict, skip_version: bool) -> dict:
        if ring not in self.key_rings:
            raise ApiError(404, f"KeyRing {ring} not found.")
        if not key_id or not re.fullmatch(r"[a-zA-Z0-9_-]{1,63}", key_id):
            raise ApiError(400, f"Invalid value for cryptoKeyId ({key_id!r}).")
        purpose = enum_name(body.get("purpose", 0), PURPOSES, "crypto_key.purpose")
        if purpose != "ASYMMETRIC_SIGN":
            raise ApiError(400, f"this server implements purpose ASYMMETRIC_SIGN only, not {purpose}")
        template = body.get("versionTemplate") or {}
        if "algorithm" not in template:
            raise ApiError(400, "The request must specify a version_template.algorithm for asymmetric keys.")
        algorithm = enum_name(template["algorithm"], ALGORITHMS, "crypto_key.version_template.algorithm")
        level = enum_name(template.get("protectionLevel", "SOFTWARE"), PROTECTION,
                          "crypto_key.version_template.protection_level")
        name = f"{ring}/cryptoKeys/{key_id}"
        with self.lock:
            if name in self.keys:
                raise ApiError(409, f"CryptoKey {name} already exists.")
            key = {"name": name, "purpose": purpose, "createTime": rfc3339(time.time()),
                   "versionTemplate": {"protectionLevel": level, "algorithm": algorithm},
                   "destroyScheduledDuration": "86400s", "_next": 1}
            if body.get("labels"):
                key["labels"] = dict(body["labels"])
            self.keys[name] = key
        if not skip_version:
            self.create_version(name)
        return self.public(key)

    def create_version(self, key_name: str) -> dict:
        with self.lock:
            key = self.keys.get(key_name)
            if key is None:
                raise ApiError(404, f"CryptoKey {key_name} not found.")
            number = key["_next"]
            key["_next"] += 1
            algorithm = key["versionTemplate"]["algorithm"]
            level = key["versionTemplate"]["protectionLevel"]
        _, kind, param, _, _ = ALGORITHMS[algorithm]
        private = rsa.generate_private_key(65537, param) if kind == "rsa" else ec.generate_private_key(param())
        now = time.time()
        version = {"name": f"{key_name}/cryptoKeyVersions/{number}", "state": "PENDING_GENERATION",
                   "protectionLevel": level, "algorithm": algorithm, "createTime": rfc3339(now),
                   "_private": private, "_created": now}
        with self.lock:
            self.versions[version["name"]] = version
            return self.public(version)

    def version(self, name: str) -> dict:
        with self.lock:
            v = self.versions.get(name)
        if v is None:
            raise ApiError(404, f"CryptoKeyVersion {name} not found.")
        return v

    def public_key(self, name: str) -> dict:
        v = self.version(name)
        if self.version_view(v)["state"] != "ENABLED":
            raise ApiError(400, f"CryptoKeyVersion {name} is not enabled, current state is: {v['state']}.",
                           "FAILED_PRECONDITION")
        pem = v["_private"].public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        return {"pem": pem, "algorithm": v["algorithm"], "pemCrc32c": str(crc32c(pem.encode())),
                "name": name, "protectionLevel": v["protectionLevel"]}

    def sign(self, name: str, body: dict) -> dict:
        v = self.version(name)
        if self.version_view(v)["state"] != "ENABLED":
            raise ApiError(400, f"CryptoKeyVersion {name} is not enabled, current state is: {v['state']}.",
                           "FAILED_PRECONDITION")
        _, kind, _, hash_name, pad = ALGORITHMS[v["algorithm"]]
        digest_obj = body.get("digest")
        if not isinstance(digest_obj, dict) or len(digest_obj) != 1:
            raise ApiError(400, "AsymmetricSignRequest.digest must hold exactly one of sha256, sha384, sha512.")
        (given_hash, digest_b64), = digest_obj.items()
        if given_hash != hash_name:
            raise ApiError(400, f"The requested digest type ({given_hash}) does not match the key "
                                f"algorithm {v['algorithm']}, which requires {hash_name}.")
        try:
            digest = base64.b64decode(digest_b64, validate=True)
        except Exception:
            raise ApiError(400, "Invalid value at 'digest' (TYPE_BYTES), Base64 decoding failed")
        algo = HASHES[hash_name]()
        if len(digest) != algo.digest_size:
            raise ApiError(400, f"Digest length {len(digest)} does not match {hash_name} ({algo.digest_size} bytes).")
        verified = False
        if "digestCrc32c" in body:
            if int(body["digestCrc32c"]) != crc32c(digest):
                raise ApiError(400, "The checksum in field digest_crc32c did not match the data in field digest.")
            verified = True
        prehashed = utils.Prehashed(algo)
        key = v["_private"]
        if kind == "ec":
            signature = key.sign(digest, ec.ECDSA(prehashed))
        elif pad == "pss":
            signature = key.sign(digest, padding.PSS(padding.MGF1(HASHES[hash_name]()), algo.digest_size), prehashed)
        else:
            signature = key.sign(digest, padding.PKCS1v15(), prehashed)
        with self.lock:
            self.stats["signs"] += 1
        return {"signature": base64.b64encode(signature).decode(), "signatureCrc32c": str(crc32c(signature)),
                "verifiedDigestCrc32c": verified, "name": name, "protectionLevel": v["protectionLevel"]}

    def listing(self, table: dict, prefix: str, field: str, view=None) -> dict:
        with self.lock:
            items = [o for n, o in sorted(table.items()) if n.startswith(prefix) and "/" not in n[len(prefix):]]
        view = view or self.public
        return {field: [view(o) for o in items], "totalSize": len(items)} if items else {"totalSize": 0}


RING = r"projects/([^/]+)/locations/([^/]+)/keyRings/([^/:]+)"
KEY = RING + r"/cryptoKeys/([^/:]+)"
VERSION = KEY + r"/cryptoKeyVersions/([^/:]+)"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gcpkms-fake/1"
    # Headers and body are written separately: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK (40 ms per call on Linux).
    disable_nagle_algorithm = True
    state: State = None

    def log_message(self, fmt, *args):  # one line per request, no credentials
        sys.stderr.write("%s %s\n" % (self.command, self.path.split("?")[0]))

    def send_json(self, code: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self._raw

    def json_body(self) -> dict:
        raw = self.body()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise ApiError(400, f"Invalid JSON payload received. {error}")
        if not isinstance(value, dict):
            raise ApiError(400, "Invalid JSON payload received. Expected an object.")
        return value

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method: str):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = urllib.parse.unquote(url.path)
        # Read the body first, whatever the outcome: the connection is kept alive.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""
        try:
            if path == "/token" and method == "POST":
                return self.token()
            if path.startswith("/admin/"):
                return self.admin(method, path, query)
            if not path.startswith("/v1/"):
                raise ApiError(404, f"The requested URL {path} was not found on this server.")
            st = self.state
            with st.lock:
                st.stats["requests"] += 1
                if st.fail_count > 0:
                    st.fail_count -= 1
                    raise ApiError(st.fail_status, "The service is currently unavailable (injected).")
            st.authenticate(self.headers.get("Authorization", ""))
            self.send_json(200, self.api(method, path[len("/v1/"):], query))
        except ApiError as error:
            self.send_json(error.code, {"error": {"code": error.code, "message": error.message,
                                                  "status": error.status}})
        except OAuthError as error:
            self.send_json(400, {"error": error.error, "error_description": error.description})

    def token(self):
        form = dict(urllib.parse.parse_qsl(self.body().decode()))
        if form.get("grant_type") != JWT_BEARER:
            raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type', '')}")
        if not form.get("assertion"):
            raise OAuthError("invalid_request", "Missing required parameter: assertion")
        try:
            answer = self.state.grant(form["assertion"])
        except ApiError as error:
            raise OAuthError("invalid_grant", error.message)
        self.send_json(200, answer)

    def admin(self, method, path, query):
        st = self.state
        if path == "/admin/token-ttl" and method == "POST":
            with st.lock:
                st.token_ttl = int(query.get("seconds", "3599"))
            return self.send_json(200, {"tokenTtl": st.token_ttl})
        if path == "/admin/fail" and method == "POST":
            with st.lock:
                st.fail_status, st.fail_count = int(query.get("status", "503")), int(query.get("count", "1"))
            return self.send_json(200, {"status": st.fail_status, "count": st.fail_count})
        if path == "/admin/stats" and method == "GET":
            with st.lock:
                return self.send_json(200, dict(st.stats))
        raise ApiError(404, f"unknown admin call {method} {path}")

    def api(self, method: str, path: str, query: dict) -> dict:
        st = self.state
        m = re.fullmatch(r"projects/([^/]+)/locations/([^/]+)/keyRings", path)
        if m:
            parent = path[: -len("/keyRings")]
            if method == "POST":
                st.check_project(m[1], "cloudkms.keyRings.create", parent)
                self.json_body()
                return st.create_key_ring(parent, query.get("keyRingId", ""))
            if method == "GET":
                st.check_project(m[1], "cloudkms.keyRings.list", parent)
                return st.listing(st.key_rings, path + "/", "keyRings")
        m = re.fullmatch(RING, path)
        if m and method == "GET":
            st.check_project(m[1], "cloudkms.keyRings.get", path)
            with st.lock:
                ring = st.key_rings.get(path)
            if ring is None:
                raise ApiError(404, f"KeyRing {path} not found.")
            return dict(ring)
        m = re.fullmatch(RING + "/cryptoKeys", path)
        if m:
            ring = path[: -len("/cryptoKeys")]
            if method == "POST":
                st.check_project(m[1], "cloudkms.cryptoKeys.create", ring)
                skip = query.get("skipInitialVersionCreation", "false").lower() == "true"
                return st.create_key(ring, query.get("cryptoKeyId", ""), self.json_body(), skip)
            if method == "GET":
                st.check_project(m[1], "cloudkms.cryptoKeys.list", ring)
                if ring not in st.key_rings:
                    raise ApiError(404, f"KeyRing {ring} not found.")
                return st.listing(st.keys, path + "/", "cryptoKeys")
        m = re.fullmatch(KEY, path)
        if m and method == "GET":
            st.check_project(m[1], "cloudkms.cryptoKeys.get", path)
            with st.lock:
                key = st.keys.get(path)
            if key is None:
                raise ApiError(404, f"CryptoKey {path} not found.")
            return st.public(key)
        m = re.fullmatch(KEY + "/cryptoKeyVersions", path)
        if m:
            key = path[: -len("/cryptoKeyVersions")]
            if method == "POST":
                st.check_project(m[1], "cloudkms.cryptoKeyVersions.create", key)
                self.json_body()
                return st.create_version(key)
            if method == "GET":
                st.check_project(m[1], "cloudkms.cryptoKeyVersions.list", key)
                if key not in st.keys:
                    raise ApiError(404, f"CryptoKey {key} not found.")
                return st.listing(st.versions, path + "/", "cryptoKeyVersions", st.version_view)
        m = re.fullmatch(VERSION, path)
        if m and method == "GET":
            st.check_project(m[1], "cloudkms.cryptoKeyVersions.get", path)
            return st.version_view(st.version(path))
        m = re.fullmatch(VERSION + "/publicKey", path)
        if m and method == "GET":
            st.check_project(m[1], "cloudkms.cryptoKeyVersions.viewPublicKey", path[: -len("/publicKey")])
            return st.public_key(path[: -len("/publicKey")])
        m = re.fullmatch(VERSION + ":asymmetricSign", path)
        if m and method == "POST":
            name = path[: -len(":asymmetricSign")]
            st.check_project(m[1], "cloudkms.cryptoKeyVersions.useToSign", name)
            return st.sign(name, self.json_body())
        raise ApiError(404, f"The requested URL /v1/{path} ({method}) was not found on this server.")


class OAuthError(Exception):
    def __init__(self, error, description):
        super().__init__(description)
        self.error, self.description = error, description


def make_tls(directory: str):
    """A CA and a server certificate for 127.0.0.1/localhost; returns the server's SSL context."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gcpkms-fake test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    server_pem = os.path.join(directory, "server.pem")
    with open(server_pem, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    os.chmod(server_pem, 0o600)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_pem)
    return context


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where to write ca.pem, credentials.json, env")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--project", default="stepca-test")
    parser.add_argument("--token-ttl", type=int, default=3599)
    args = parser.parse_args()
    # A parent may start us from a thread that blocks signals (libdispatch's workers do, and the
    # mask is inherited): unblock the ones that stop us, or SIGTERM would never end the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.makedirs(args.dir, exist_ok=True)
    env_path = os.path.join(args.dir, "env")
    if os.path.exists(env_path):
        os.remove(env_path)

    context = make_tls(args.dir)
    server = TLSServer((args.host, args.port), Handler)
    server.context = context
    port = server.server_address[1]
    base = f"https://{args.host}:{port}"

    sa_key = rsa.generate_private_key(65537, 2048)
    key_id = secrets.token_hex(20)
    email = f"stepca@{args.project}.iam.gserviceaccount.com"
    credentials = {
        "type": "service_account", "project_id": args.project, "private_key_id": key_id,
        "private_key": sa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode(),
        "client_email": email, "client_id": str(secrets.randbelow(10 ** 20)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": f"{base}/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
        "universe_domain": "googleapis.com",
    }
    cred_path = os.path.join(args.dir, "credentials.json")
    with open(cred_path, "w") as f:
        json.dump(credentials, f, indent=2)
    os.chmod(cred_path, 0o600)

    Handler.state = State(args.project, sa_key.public_key(), key_id, email, f"{base}/token")
    Handler.state.token_ttl = args.token_ttl
    # Keys that exist before any test: key ring "seed", an EC P-256 and an RSA-2048 PKCS#1 key.
    seed = f"projects/{args.project}/locations/global"
    Handler.state.create_key_ring(seed, "seed")
    seeded = {}
    for key_id, algorithm in (("ec-p256", "EC_SIGN_P256_SHA256"), ("rsa-2048", "RSA_SIGN_PKCS1_2048_SHA256")):
        Handler.state.create_key(f"{seed}/keyRings/seed", key_id, {"purpose": "ASYMMETRIC_SIGN",
                                 "versionTemplate": {"algorithm": algorithm}}, skip_version=False)
        version = f"{seed}/keyRings/seed/cryptoKeys/{key_id}/cryptoKeyVersions/1"
        Handler.state.versions[version]["_created"] -= PENDING_SECONDS
        seeded[key_id] = version
    ca_path = os.path.join(args.dir, "ca.pem")
    with open(env_path + ".tmp", "w") as f:
        f.write(f"export GCP_KMS_ENDPOINT={base}\n"
                f"export GCP_KMS_CA={ca_path}\n"
                f"export GCP_KMS_PROJECT={args.project}\n"
                f"export GCP_KMS_LOCATION=global\n"
                f"export GCP_KMS_CREDENTIALS={cred_path}\n"
                f"export GCP_KMS_EC_KEY={seeded['ec-p256']}\n"
                f"export GCP_KMS_RSA_KEY={seeded['rsa-2048']}\n"
                f"export GCP_KMS_PID={os.getpid()}\n")
    os.rename(env_path + ".tmp", env_path)
    sys.stderr.write(f"gcpkms-fake listening on {base}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
