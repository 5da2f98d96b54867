#!/usr/bin/env python3
"""An Azure Key Vault test server: the key data-plane surface step-ca uses, plus AAD and IMDS.

No emulator of Key Vault runs here, so the tests run against this one. It speaks the public REST
API (api-version 7.x and 2025-07-01, which azure-keyvault-keys 4.11 sends) as Microsoft's SDKs
(azure-keyvault-keys, azure-identity / MSAL) send it; binary fields are base64url without padding:

  GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID discovery (MSAL)
  GET  /common/discovery/instance                        AAD instance discovery (MSAL)
  POST /{tenant}/oauth2/v2.0/token                       client_credentials grant (secret)
  GET  /metadata/identity/oauth2/token                   IMDS managed identity (header Metadata: true)
  POST /keys/{name}/create                               create a key (a new version if it exists)
  GET  /keys/{name}[/{version}]                          KeyBundle (no or empty version = latest)
  GET  /keys, /keys/{name}/versions                      KeyItem lists
  POST /keys/{name}/{version}/sign                       sign a digest (ECDSA: raw r||s)

The vault is this server's base URL (`https://127.0.0.1:PORT`); key ids are
`https://127.0.0.1:PORT/keys/{name}/{version}`. Keys are real (Python `cryptography`), state is in
memory. HTTPS with a CA of its own. At start it writes into --dir: ca.pem and env (shell exports;
written last, so its presence means "ready"). Two keys exist from the start: `seed-ec` (P-256)
and `seed-rsa` (RSA-2048).

Every vault call needs `Authorization: Bearer T` with a token issued by the token or IMDS
endpoint for the resource `https://vault.azure.net`; without one (or with a wrong or expired one)
the answer is 401 with Key Vault's challenge
`WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net"`.
Errors are `{"error":{"code":"KeyNotFound","message":...}}`; AAD errors are
`{"error":"invalid_client","error_description":"AADSTS7000215: ..."}`.

Test controls (no authentication; a test server only):
  POST /admin/token-ttl?seconds=N                       lifetime of tokens issued from now on
  POST /admin/fail?status=503&count=N[&retry-after=S]   answer the next N vault calls with that status
  POST /admin/imds?enabled=0|1                          switch the managed identity off / on
  GET  /admin/stats          {"tokenGrants", "imdsGrants", "signs", "requests", "challenges"}
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
import uuid
from http.server import BaseHTTPRequestHandler

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

from fake_tls import TLSServer

VAULT_RESOURCE = "https://vault.azure.net"
VAULT_SCOPE = VAULT_RESOURCE + "/.default"
CURVES = {"P-256": (ec.SECP256R1, 32), "P-384": (ec.SECP384R1, 48), "P-521": (ec.SECP521R1, 66)}
KEY_TYPES = {"EC", "EC-HSM", "RSA", "RSA-HSM"}
ALL_OPS = {"EC": ["sign", "verify"],
           "RSA": ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]}
# alg -> (family, hash, curve for ECDSA, padding for RSA)
ALGORITHMS = {
    "ES256": ("EC", hashes.SHA256, "P-256", None), "ES384": ("EC", hashes.SHA384, "P-384", None),
    "ES512": ("EC", hashes.SHA512, "P-521", None),
    "RS256": ("RSA", hashes.SHA256, None, "pkcs1"), "RS384": ("RSA", hashes.SHA384, None, "pkcs1"),
    "RS512": ("RSA", hashes.SHA512, None, "pkcs1"),
    "PS256": ("RSA", hashes.SHA256, None, "pss"), "PS384": ("RSA", hashes.SHA384, None, "pss"),
    "PS512": ("RSA", hashes.SHA512, None, "pss"),
}
NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")
VERSION = re.compile(r"[0-9a-f]{32}")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str, field: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise VaultError(400, "BadParameter", f"Property {field} is not a valid base64url string.")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_bytes(value: int, length: int = 0) -> bytes:
    return value.to_bytes(length or max((value.bit_length() + 7) // 8, 1), "big")


class VaultError(Exception):
    """A Key Vault error answer: HTTP status, error code, message."""

    def __init__(self, status: int, code: str, message: str, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class OAuthError(Exception):
    """An AAD / IMDS error answer: `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class State:
    """Keys, tokens, credentials and test controls."""

    def __init__(self, tenant, client_id, client_secret, mi_client_id, token_ttl):
        self.lock = threading.Lock()
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.mi_client_id = mi_client_id
        self.token_ttl = token_ttl
        self.tokens = {}  # token -> (expiry, resource)
        self.keys = {}    # name -> [version dict, ...] (oldest first)
        self.imds_enabled = True
        self.fail_status, self.fail_count, self.fail_retry_after = 0, 0, None
        self.stats = {"tokenGrants": 0, "imdsGrants": 0, "signs": 0, "requests": 0, "challenges": 0}

    # --- tokens ---------------------------------------------------------------------------
    def issue(self, resource: str, counter: str) -> (str, int):
        token = "eyJ0eXAiOiJKV1QifQ.fake-" + secrets.token_urlsafe(32)
        with self.lock:
            ttl = self.token_ttl
            self.tokens[token] = (time.time() + ttl, resource)
            self.stats[counter] += 1
        return token, ttl

    def client_credentials(self, tenant: str, form: dict) -> dict:
        if tenant != self.tenant:
            raise OAuthError(400, "invalid_request",
                             f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.")
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type",
                             f"AADSTS70003: The app requested an unsupported grant type '{grant}'.")
        if form.get("client_id") != self.client_id:
            raise OAuthError(400, "unauthorized_client",
                             f"AADSTS700016: Application with identifier '{form.get('client_id', '')}' was not "
                             f"found in the directory '{tenant}'.")
        if "client_assertion" in form:
            raise OAuthError(401, "invalid_client",
                             "AADSTS700027: Client assertion contains an invalid signature.")
        if form.get("client_secret") != self.client_secret:
            raise OAuthError(401, "invalid_client",
                             "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
                             "request is the client secret value, not the client secret ID, for a secret added "
                             f"to app '{self.client_id}'.")
        scopes = form.get("scope", "").split()
        resources = [s[: -len("/.default")] for s in scopes if s.endswith("/.default")]
        if len(resources) != 1 or resources[0].rstrip("/") != VAULT_RESOURCE:
            raise OAuthError(400, "invalid_scope",
                             f"AADSTS1002012: The provided value for scope {form.get('scope', '')} is not valid. "
                             "Client credential flows must have a scope value with /.default suffixed to the "
                             "resource identifier (application ID URI).")
        token, ttl = self.issue(VAULT_RESOURCE, "tokenGrants")
        return {"token_type": "Bearer", "expires_in": ttl, "ext_expires_in": ttl, "access_token": token}

    def managed_identity(self, query: dict, headers) -> dict:
        if (headers.get("Metadata") or "").lower() != "true":
            raise OAuthError(400, "invalid_request", "Required metadata header not specified")
        if "api-version" not in query:
            raise OAuthError(400, "invalid_request", "Required query variable 'api-version' is missing")
        with self.lock:
            enabled = self.imds_enabled
        if not enabled:
            raise OAuthError(400, "invalid_request", "Identity not found")
        resource = query.get("resource", "").rstrip("/")
        if resource != VAULT_RESOURCE:
            raise OAuthError(400, "invalid_resource",
                             f"AADSTS500011: The resource principal named {query.get('resource', '')} was not found "
                             f"in the tenant named {self.tenant}.")
        for field in ("client_id", "object_id", "msi_res_id", "mi_res_id"):
            if field in query and (field != "client_id" or query[field] != self.mi_client_id):
                raise OAuthError(400, "invalid_request", "Identity not found")
        token, ttl = self.issue(VAULT_RESOURCE, "imdsGrants")
        now = int(time.time())
        return {"access_token": token, "client_id": self.mi_client_id, "expires_in": str(ttl),
                "expires_on": str(now + ttl), "ext_expires_in": str(ttl), "not_before": str(now),
                "resource": VAULT_RESOURCE, "token_type": "Bearer"}

    def challenge(self) -> dict:
        return {"WWW-Authenticate": f'Bearer authorization="https://login.microsoftonline.com/{self.tenant}", '
                                    f'resource="{VAULT_RESOURCE}"'}

    def authenticate(self, header: str):
        if not header or not header.startswith("Bearer "):
            with self.lock:
                self.stats["challenges"] += 1
            raise VaultError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                             self.challenge())
        token = header[len("Bearer "):].strip()
        with self.lock:
            entry = self.tokens.get(token)
        if entry is None:
            raise VaultError(401, "Unauthorized", "AKV10032: Invalid issuer. The token is not valid for this vault.",
                             self.challenge())
        if entry[0] < time.time():
            raise VaultError(401, "Unauthorized", "AKV10022: Invalid audience or the token is expired.",
                             self.challenge())

    # --- keys -----------------------------------------------------------------------------
    def check_name(self, name: str):
        if not NAME.fullmatch(name):
            raise VaultError(400, "BadParameter",
                             f"The request URI contains an invalid name: {name}. Key names may contain only "
                             "alphanumeric characters and dashes, 1 to 127 of them.")

    def create(self, name: str, body: dict, now=None) -> dict:
        self.check_name(name)
        kty = body.get("kty")
        if not kty:
            raise VaultError(400, "BadParameter", "Property 'kty' is required.")
        if kty not in KEY_TYPES:
            raise VaultError(400, "BadParameter", f"The key type '{kty}' is not supported by this vault "
                                                  "(EC, EC-HSM, RSA, RSA-HSM).")
        family = kty.split("-")[0]
        if family == "EC":
            crv = body.get("crv") or "P-256"
            if crv not in CURVES:
                raise VaultError(400, "BadParameter", f"Invalid curve name '{crv}' (P-256, P-384, P-521).")
            private = ec.generate_private_key(CURVES[crv][0]())
            extra = {"crv": crv}
        else:
            size = body.get("key_size") or 2048
            exponent = body.get("public_exponent") or 65537
            if size not in (2048, 3072, 4096):
                raise VaultError(400, "BadParameter", f"Invalid key size {size} (2048, 3072 or 4096).")
            if exponent not in (3, 65537):
                raise VaultError(400, "BadParameter", f"Invalid public exponent {exponent}.")
            private = rsa.generate_private_key(exponent, size)
            extra = {"key_size": size}
        ops = body.get("key_ops")
        allowed = ALL_OPS[family]
        if ops is None:
            ops = list(allowed)
        if not isinstance(ops, list) or any(op not in allowed for op in ops):
            raise VaultError(400, "BadParameter", f"Invalid key_ops {ops} for key type {kty}.")
        attributes = body.get("attributes") or {}
        stamp = int(now or time.time())
        version = {"id": uuid.uuid4().hex, "kty": kty, "private": private, "key_ops": ops,
                   "enabled": attributes.get("enabled", True) is not False,
                   "created": stamp, "updated": stamp, "tags": body.get("tags") or {}, **extra}
        with self.lock:
            self.keys.setdefault(name, []).append(version)
        return version

    def version(self, name: str, version_id: str) -> dict:
        self.check_name(name)
        with self.lock:
            versions = list(self.keys.get(name, []))
        if not versions:
            raise VaultError(404, "KeyNotFound",
                             f"A key with (name/id) {name} was not found in this key vault. If you recently "
                             "deleted this key you may be able to recover it using the correct recovery command. "
                             "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182")
        if not version_id:
            return versions[-1]
        for v in versions:
            if v["id"] == version_id:
                return v
        raise VaultError(404, "KeyNotFound",
                         f"A key with (name/id) {name}/{version_id} was not found in this key vault. If you recently "
                         "deleted this key you may be able to recover it using the correct recovery command. For "
                         "help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182")

    @staticmethod
    def attributes(v: dict) -> dict:
        return {"enabled": v["enabled"], "created": v["created"], "updated": v["updated"],
                "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90, "exportable": False}

    def bundle(self, base: str, name: str, v: dict) -> dict:
        jwk = {"kid": f"{base}/keys/{name}/{v['id']}", "kty": v["kty"], "key_ops": v["key_ops"]}
        public = v["private"].public_key()
        if v["kty"].startswith("EC"):
            numbers, size = public.public_numbers(), CURVES[v["crv"]][1]
            jwk.update(crv=v["crv"], x=b64url(int_bytes(numbers.x, size)), y=b64url(int_bytes(numbers.y, size)))
        else:
            numbers = public.public_numbers()
            jwk.update(n=b64url(int_bytes(numbers.n)), e=b64url(int_bytes(numbers.e)))
        return {"key": jwk, "attributes": self.attributes(v), "tags": v["tags"]}

    def items(self, base: str, name=None) -> list:
        with self.lock:
            table = {n: list(vs) for n, vs in self.keys.items()}
        if name is not None:
            return [{"kid": f"{base}/keys/{name}/{v['id']}", "attributes": self.attributes(v), "tags": v["tags"]}
                    for v in table[name]]
        return [{"kid": f"{base}/keys/{n}", "attributes": self.attributes(vs[-1]), "tags": vs[-1]["tags"]}
                for n, vs in sorted(table.items())]

    def sign(self, base: str, name: str, version_id: str, body: dict) -> dict:
        v = self.version(name, version_id)
        alg = body.get("alg")
        if not alg:
            raise VaultError(400, "BadParameter", "Property 'alg' is required.")
        if alg not in ALGORITHMS:
            raise VaultError(400, "BadParameter", f"Invalid algorithm '{alg}'.")
        if "value" not in body:
            raise VaultError(400, "BadParameter", "Property 'value' is required.")
        digest = b64url_decode(body["value"], "value")
        if not v["enabled"]:
            raise VaultError(403, "Forbidden", "Operation sign is not allowed on a disabled key.")
        if "sign" not in v["key_ops"]:
            raise VaultError(403, "Forbidden", "Operation sign is not permitted on this key.")
        family, hash_type, curve, pad = ALGORITHMS[alg]
        if not v["kty"].startswith(family) or (curve and curve != v["crv"]):
            raise VaultError(400, "BadParameter",
                             f"Key and signing algorithm are incompatible: {alg} cannot be used with a "
                             f"{v['kty']} {v.get('crv', str(v.get('key_size', '')))} key.")
        algorithm = hash_type()
        if len(digest) != algorithm.digest_size:
            raise VaultError(400, "BadParameter",
                             f"Invalid length of the digest: {alg} takes {algorithm.digest_size} bytes, "
                             f"{len(digest)} given.")
        prehashed = utils.Prehashed(algorithm)
        key = v["private"]
        if family == "EC":
            r, s = utils.decode_dss_signature(key.sign(digest, ec.ECDSA(prehashed)))
            size = CURVES[v["crv"]][1]
            signature = int_bytes(r, size) + int_bytes(s, size)
        elif pad == "pss":
            signature = key.sign(digest, padding.PSS(padding.MGF1(algorithm), algorithm.digest_size), prehashed)
        else:
            signature = key.sign(digest, padding.PKCS1v15(), prehashed)
        with self.lock:
            self.stats["signs"] += 1
        return {"kid": f"{base}/keys/{name}/{v['id']}", "value": b64url(signature)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "azurekv-fake/1"
    # Headers and body are written separately: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK (40 ms per call on Linux).
    disable_nagle_algorithm = True
    state: State = None
    base = ""

    def log_message(self, fmt, *args):  # one line per request, no credentials
        sys.stderr.write("%s %s\n" % (self.command, self.path.split("?")[0]))

    def send_json(self, status: int, body: dict, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def json_body(self) -> dict:
        if not self._raw:
            return {}
        try:
            value = json.loads(self._raw)
        except ValueError as error:
            raise VaultError(400, "BadParameter", f"The request body is not valid JSON: {error}")
        if not isinstance(value, dict):
            raise VaultError(400, "BadParameter", "The request body must be a JSON object.")
        return value

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method: str):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        path = urllib.parse.unquote(url.path)
        # Read the body first, whatever the outcome: the connection is kept alive.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""
        try:
            if path.startswith("/admin/"):
                return self.admin(method, path, query)
            if path == "/metadata/identity/oauth2/token" and method == "GET":
                return self.send_json(200, self.state.managed_identity(query, self.headers))
            if path == "/common/discovery/instance" and method == "GET":
                return self.instance_discovery(query)
            m = re.fullmatch(r"/([^/]+)/v2\.0/\.well-known/openid-configuration", path)
            if m and method == "GET":
                return self.openid_configuration(m[1])
            m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", path)
            if m and method == "POST":
                form = dict(urllib.parse.parse_qsl(self._raw.decode(errors="replace")))
                return self.send_json(200, self.state.client_credentials(m[1], form))
            if path == "/keys" or path.startswith("/keys/"):
                return self.vault(method, path, query)
            raise VaultError(404, "NotFound", f"The requested URL {path} was not found on this server.")
        except VaultError as error:
            self.send_json(error.status, {"error": {"code": error.code, "message": error.message}}, error.headers)
        except OAuthError as error:
            self.send_json(error.status, {"error": error.error, "error_description": error.description,
                                          "error_codes": [int(re.sub(r"\D", "", error.description.split(":")[0]) or 0)],
                                          "timestamp": datetime.datetime.now(datetime.timezone.utc)
                                          .strftime("%Y-%m-%d %H:%M:%SZ"),
                                          "trace_id": str(uuid.uuid4()), "correlation_id": str(uuid.uuid4())})

    def openid_configuration(self, tenant: str):
        if tenant not in (self.state.tenant, "common", "organizations"):
            raise OAuthError(400, "invalid_tenant", f"AADSTS90002: Tenant '{tenant}' not found.")
        host = self.base
        self.send_json(200, {
            "token_endpoint": f"{host}/{tenant}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{host}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{host}/{tenant}/v2.0",
            "authorization_endpoint": f"{host}/{tenant}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{host}/{tenant}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{host}/{tenant}/oauth2/v2.0/logout",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        })

    def instance_discovery(self, query: dict):
        netloc = urllib.parse.urlsplit(self.base).netloc
        authorization = query.get("authorization_endpoint", "")
        tenant = urllib.parse.urlsplit(authorization).path.strip("/").split("/")[0] or "common"
        self.send_json(200, {
            "tenant_discovery_endpoint": f"{self.base}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": netloc, "preferred_cache": netloc, "aliases": [netloc]}],
        })

    def admin(self, method, path, query):
        st = self.state
        if path == "/admin/token-ttl" and method == "POST":
            with st.lock:
                st.token_ttl = int(query.get("seconds", "3599"))
            return self.send_json(200, {"tokenTtl": st.token_ttl})
        if path == "/admin/fail" and method == "POST":
            with st.lock:
                st.fail_status, st.fail_count = int(query.get("status", "503")), int(query.get("count", "1"))
                st.fail_retry_after = query.get("retry-after")
            return self.send_json(200, {"status": st.fail_status, "count": st.fail_count})
        if path == "/admin/imds" and method == "POST":
            with st.lock:
                st.imds_enabled = query.get("enabled", "1") == "1"
            return self.send_json(200, {"enabled": st.imds_enabled})
        if path == "/admin/stats" and method == "GET":
            with st.lock:
                return self.send_json(200, dict(st.stats))
        raise VaultError(404, "NotFound", f"unknown admin call {method} {path}")

    def vault(self, method: str, path: str, query: dict):
        st = self.state
        version = query.get("api-version")
        if not version:
            raise VaultError(400, "BadParameter", "The request URI must contain the api-version query parameter.")
        if not re.fullmatch(r"7\.\d+(-preview(\.\d+)?)?|20\d\d-\d\d-\d\d(-preview)?", version):
            raise VaultError(400, "BadParameter", f"The specified version ({version}) is not recognized. "
                                                  "Consider using the latest supported version (7.4).")
        with st.lock:
            st.stats["requests"] += 1
        st.authenticate(self.headers.get("Authorization", ""))
        with st.lock:
            if st.fail_count > 0:
                st.fail_count -= 1
                headers = {"Retry-After": st.fail_retry_after} if st.fail_retry_after else {}
                code = "Throttled" if st.fail_status == 429 else "ServiceUnavailable"
                raise VaultError(st.fail_status, code, "The service is busy (injected failure).", headers)
        base = self.base
        parts = path.split("/")[2:]  # after "/keys"
        if path in ("/keys", "/keys/") and method == "GET":
            return self.send_json(200, self.page(st.items(base), query))
        if len(parts) == 2 and parts[1] == "create" and method == "POST":
            body = self.json_body()
            v = st.create(parts[0], body)
            return self.send_json(200, st.bundle(base, parts[0], v))
        if len(parts) == 2 and parts[1] == "versions" and method == "GET":
            st.version(parts[0], "")
            return self.send_json(200, self.page(st.items(base, parts[0]), query))
        if len(parts) in (1, 2) and method == "GET":
            name, version_id = parts[0], parts[1] if len(parts) == 2 else ""
            return self.send_json(200, st.bundle(base, name, st.version(name, version_id)))
        if len(parts) == 3 and parts[2] == "sign" and method == "POST":
            return self.send_json(200, st.sign(base, parts[0], parts[1], self.json_body()))
        raise VaultError(400, "BadParameter", f"The operation {method} {path} is not supported by this vault.")

    @staticmethod
    def page(items: list, query: dict) -> dict:
        limit = int(query.get("maxresults") or 25)
        if not 1 <= limit <= 25:
            raise VaultError(400, "BadParameter", "maxresults must be between 1 and 25.")
        return {"value": items, "nextLink": None}


def make_tls(directory: str):
    """A CA and a server certificate for 127.0.0.1/localhost; returns the server's SSL context."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "azurekv-fake test CA")])
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


def stop_on_signals():
    """Makes SIGTERM and SIGINT stop the server, whatever the parent left behind: a process
    started from a thread that blocks signals (Foundation's Process on Linux, from a test runner)
    inherits that signal mask, and SIGTERM would otherwise stay pending forever."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: os._exit(0))


def watch_parent(parent: int):
    """Ends this process once `parent` is gone (this process is then re-parented)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def main():
    stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where to write ca.pem and env")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--token-ttl", type=int, default=3599)
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the starting process ends (tests: a killed test run leaves no server behind)")
    args = parser.parse_args()
    if args.exit_with_parent:
        watch_parent(os.getppid())
    os.makedirs(args.dir, exist_ok=True)
    env_path = os.path.join(args.dir, "env")
    if os.path.exists(env_path):
        os.remove(env_path)

    context = make_tls(args.dir)
    server = TLSServer((args.host, args.port), Handler)
    server.context = context
    port = server.server_address[1]
    base = f"https://{args.host}:{port}"

    tenant = str(uuid.uuid4())
    client_id = str(uuid.uuid4())
    secret = secrets.token_urlsafe(30)
    mi_client_id = str(uuid.uuid4())
    Handler.base = base
    Handler.state = State(tenant, client_id, secret, mi_client_id, args.token_ttl)
    seeded = {}
    for name, body in (("seed-ec", {"kty": "EC", "crv": "P-256"}), ("seed-rsa", {"kty": "RSA", "key_size": 2048})):
        seeded[name] = Handler.state.create(name, body)["id"]
    secret_path = os.path.join(args.dir, "client-secret")
    with open(secret_path, "w") as f:
        f.write(secret)
    os.chmod(secret_path, 0o600)
    ca_path = os.path.join(args.dir, "ca.pem")
    with open(env_path + ".tmp", "w") as f:
        f.write(f"export AZURE_KV_URL={base}\n"
                f"export AZURE_KV_CA={ca_path}\n"
                f"export AZURE_KV_AUTHORITY_HOST={base}\n"
                f"export AZURE_KV_TENANT_ID={tenant}\n"
                f"export AZURE_KV_CLIENT_ID={client_id}\n"
                f"export AZURE_KV_CLIENT_SECRET={secret}\n"
                f"export AZURE_KV_IMDS_HOST={base}\n"
                f"export AZURE_KV_MI_CLIENT_ID={mi_client_id}\n"
                f"export AZURE_KV_EC_KEY=seed-ec\n"
                f"export AZURE_KV_EC_VERSION={seeded['seed-ec']}\n"
                f"export AZURE_KV_RSA_KEY=seed-rsa\n"
                f"export AZURE_KV_RSA_VERSION={seeded['seed-rsa']}\n"
                f"export AZURE_KV_PID={os.getpid()}\n")
    os.chmod(env_path + ".tmp", 0o600)
    os.rename(env_path + ".tmp", env_path)
    sys.stderr.write(f"azurekv-fake listening on {base}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
