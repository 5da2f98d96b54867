#!/usr/bin/env python3
"""A YubiKey-flavoured PIV card for vsmartcard's vpcd (PC/SC reader driver), for tests.

Speaks the vpcd wire protocol itself (no virtualsmartcard import needed):
  every message = 2-byte big-endian length + payload; a 1-byte payload is a control
  code (0 power off, 1 power on, 2 reset, 4 "send ATR"), anything longer is a C-APDU
  whose R-APDU is sent back the same way.

Transport: --connect 127.0.0.1:35963 with vpcd in its server mode (reader.conf DEVICENAME
/dev/null:PORT: vpcd listens on PORT and PORT+1, one card per port, and this card connects).

Card class PivCard implements vicc's SmartcardOS interface
  getATR() -> bytes, powerUp(), powerDown(), reset(), execute(capdu: bytes) -> rapdu bytes
Implemented (enough for yubico-piv-tool status/generate/import/sign and go-piv style flows):
SELECT PIV AID, GET VERSION (FD), GET SERIAL (F8), VERIFY PIN (20, retries as 63Cx),
CHANGE PIN (24), GET DATA (CB), PUT DATA (DB), GENERATE ASYMMETRIC (47, P-256/P-384/RSA2048,
slots 9a/9c/9d/9e/82-95), GENERAL AUTHENTICATE (87: management-key mutual authentication on
9B with 3DES or AES-128/192/256; ECDSA over a digest / raw RSA), SET MANAGEMENT KEY (FF),
GET METADATA (F7: management key, PIN, key slots), command chaining (CLA 0x10) and
GET RESPONSE (C0, SW 61xx).
Not implemented: attestation (F9), import key (FE), reset (FB), PUK operations, touch.

The management key algorithm follows the firmware: 3DES by default (YubiKey before 5.7), or
--mgm-alg aes128|aes192|aes256 (5.7 and later default to AES-192 with the same default value).
"""
import argparse, json, os, secrets, signal, socket, struct, sys, time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils as asym_utils
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.ciphers.algorithms import AES
try:  # cryptography >= 43 moved TripleDES
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

PIV_AID = bytes.fromhex("a000000308")
# Application Property Template returned by SELECT (as a YubiKey 5 does)
APT = bytes.fromhex("61114f0600001000010079074f05a000000308")
YK5_ATR = bytes.fromhex("3bfd1300008131fe158073c021c057597562694b657940")
DEFAULT_MGM = bytes.fromhex("010203040506070801020304050607080102030405060708")
SW_OK = b"\x90\x00"
ALG_3DES, ALG_RSA2048, ALG_P256, ALG_P384 = 0x03, 0x07, 0x11, 0x14
ALG_AES128, ALG_AES192, ALG_AES256 = 0x08, 0x0A, 0x0C
# management key algorithm -> key length in bytes
MGM_KEY_LEN = {ALG_3DES: 24, ALG_AES128: 16, ALG_AES192: 24, ALG_AES256: 32}
MGM_ALG_NAMES = {"3des": ALG_3DES, "aes128": ALG_AES128, "aes192": ALG_AES192, "aes256": ALG_AES256}
# default PIN policy per slot (YubiKey): 9c always, 9e never, others once
PIN_POLICY_DEFAULT, PIN_NEVER, PIN_ONCE, PIN_ALWAYS = 0, 1, 2, 3
CURVES = {ALG_P256: ec.SECP256R1(), ALG_P384: ec.SECP384R1()}
# slot -> certificate object id
SLOT_OBJ = {0x9A: 0x5FC105, 0x9C: 0x5FC10A, 0x9D: 0x5FC10B, 0x9E: 0x5FC101,
            **{0x82 + i: 0x5FC10D + i for i in range(20)}}


def sw(v):
    return struct.pack(">H", v)


def tlv(tag, value):
    t = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    n = len(value)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82]) + n.to_bytes(2, "big")
    return t + ln + value


def parse_tlvs(data):
    """Flat BER-TLV parse -> list of (tag:int, value:bytes). Handles 1-2 byte tags."""
    out, i = [], 0
    while i < len(data):
        tag = data[i]; i += 1
        if tag & 0x1F == 0x1F:
            tag = (tag << 8) | data[i]; i += 1
        n = data[i]; i += 1
        if n == 0x81:
            n = data[i]; i += 1
        elif n == 0x82:
            n = int.from_bytes(data[i:i + 2], "big"); i += 2
        out.append((tag, data[i:i + n])); i += n
    return out


class PivCard:
    def __init__(self, pin="123456", puk="12345678", mgm=DEFAULT_MGM, serial=12345678,
                 version=(5, 4, 3), state_file=None, mgm_alg=ALG_3DES):
        self.pin, self.puk, self.mgm, self.mgm_alg = pin.encode(), puk.encode(), mgm, mgm_alg
        if len(mgm) != MGM_KEY_LEN[mgm_alg]:
            raise ValueError(f"management key must be {MGM_KEY_LEN[mgm_alg]} bytes for algorithm {mgm_alg:#x}")
        self.serial, self.version, self.state_file = serial, version, state_file
        self.pin_tries = self.PIN_MAX = 3
        self.objects = {  # object id -> content (inside tag 53)
            0x5FC102: bytes.fromhex("3019d4e739da739ced39ce739d836858210842108421c84210c3eb"
                                    "3410") + secrets.token_bytes(16) + bytes.fromhex(
                                    "350832303330303130313e00fe00"),
            0x5FC107: bytes.fromhex("f015a000000116ff02") + secrets.token_bytes(14) +
            bytes.fromhex("f10121f20121f300f40100f50110f600f700fa00fb00fc00fd00fe00"),
        }
        self.keys = {}  # slot -> private key object
        self.policies = {}  # slot -> (pin policy, touch policy)
        self._load()
        self._save()  # pin the random CHUID/CCC so restarts present the same card
        self.reset()

    # ---- SmartcardOS interface -------------------------------------------------------
    def getATR(self):
        return YK5_ATR

    def powerUp(self):
        self.reset()

    def powerDown(self):
        self.reset()

    def reset(self):
        self.selected = False
        self.pin_ok = False
        self.mgm_ok = False
        self.witness = None
        self.chain = b""
        self.pending = b""

    # ---- persistence -------------------------------------------------------------
    def _load(self):
        if not self.state_file or not os.path.exists(self.state_file):
            return
        st = json.load(open(self.state_file))
        self.objects = {int(k): bytes.fromhex(v) for k, v in st["objects"].items()}
        self.keys = {int(k): serialization.load_pem_private_key(v.encode(), None)
                     for k, v in st["keys"].items()}
        self.pin = st.get("pin", self.pin.decode()).encode()
        self.pin_tries = st.get("pin_tries", self.pin_tries)
        self.policies = {int(k): tuple(v) for k, v in st.get("policies", {}).items()}
        if "mgm" in st:
            self.mgm, self.mgm_alg = bytes.fromhex(st["mgm"]), st["mgm_alg"]

    def _save(self):
        if not self.state_file:
            return
        st = {"objects": {str(k): v.hex() for k, v in self.objects.items()},
              "keys": {str(k): key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()).decode()
                       for k, key in self.keys.items()},
              "pin": self.pin.decode(), "pin_tries": self.pin_tries,
              "policies": {str(k): list(v) for k, v in self.policies.items()},
              "mgm": self.mgm.hex(), "mgm_alg": self.mgm_alg}
        tmp = self.state_file + ".tmp"
        json.dump(st, open(tmp, "w")); os.replace(tmp, self.state_file)

    # ---- APDU dispatch -------------------------------------------------------------
    def execute(self, apdu):
        if len(apdu) < 4:
            return sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        data, le = b"", 256
        if len(body) == 1:
            le = body[0] or 256
        elif len(body) > 1:
            if body[0] == 0 and len(body) >= 3:  # extended length
                lc = int.from_bytes(body[1:3], "big"); data = body[3:3 + lc]
            else:
                lc = body[0]; data = body[1:1 + lc]
        if ins == 0xC0:  # GET RESPONSE
            return self._respond(self.pending, le)
        self.pending = b""
        if cla & 0x10:  # command chaining: buffer and acknowledge
            self.chain += data
            return SW_OK
        if self.chain:
            data, self.chain = self.chain + data, b""
        try:
            if ins == 0xA4:
                resp, status = self.select(p1, data)
            elif not self.selected:
                resp, status = b"", 0x6D00
            else:
                handler = {0xFD: self.get_version, 0xF8: self.get_serial, 0x20: self.verify,
                           0x24: self.change_pin, 0xCB: self.get_data, 0xDB: self.put_data,
                           0x47: self.generate, 0x87: self.general_authenticate,
                           0xF7: self.get_metadata, 0xFF: self.set_management_key}.get(ins)
                resp, status = handler(p1, p2, data) if handler else (b"", 0x6D00)
        except Exception as e:  # malformed input -> wrong data, keep the card alive
            print(f"piv_vcard: error on INS {ins:02X}: {e!r}", file=sys.stderr)
            resp, status = b"", 0x6A80
        if status != 0x9000:
            return sw(status)
        return self._respond(resp, le)

    def _respond(self, resp, le):
        chunk = min(le, 256)
        if len(resp) <= chunk:
            self.pending = b""
            return resp + SW_OK
        self.pending = resp[chunk:]
        return resp[:chunk] + bytes([0x61, min(len(self.pending), 0xFF) if len(self.pending) < 256 else 0])

    # ---- commands -----------------------------------------------------------------
    def select(self, p1, data):
        if p1 == 0x04 and data[:5] == PIV_AID:
            self.selected = True
            self.pin_ok = self.mgm_ok = False
            return APT, 0x9000
        self.selected = False
        return b"", 0x6A82

    def get_version(self, p1, p2, data):
        return bytes(self.version), 0x9000

    def get_serial(self, p1, p2, data):
        return self.serial.to_bytes(4, "big"), 0x9000

    def verify(self, p1, p2, data):
        if p2 != 0x80:
            return b"", 0x6A88
        if p1 == 0xFF:  # reset security status
            self.pin_ok = False
            return b"", 0x9000
        if not data:  # query status
            if self.pin_ok:
                return b"", 0x9000
            return b"", (0x6983 if self.pin_tries == 0 else 0x63C0 | self.pin_tries)
        if self.pin_tries == 0:
            return b"", 0x6983
        if len(data) != 8:
            return b"", 0x6A80
        if data.rstrip(b"\xff") == self.pin:
            self.pin_ok, self.pin_tries = True, self.PIN_MAX
            self._save()
            return b"", 0x9000
        self.pin_ok = False
        self.pin_tries -= 1
        self._save()
        return b"", (0x6983 if self.pin_tries == 0 else 0x63C0 | self.pin_tries)

    def change_pin(self, p1, p2, data):
        if p2 != 0x80 or len(data) != 16:
            return b"", 0x6A80
        old, new = data[:8].rstrip(b"\xff"), data[8:].rstrip(b"\xff")
        if old != self.pin:
            self.pin_tries = max(0, self.pin_tries - 1)
            return b"", 0x63C0 | self.pin_tries
        self.pin, self.pin_tries = new, self.PIN_MAX
        self._save()
        return b"", 0x9000

    def get_data(self, p1, p2, data):
        if (p1, p2) != (0x3F, 0xFF):
            return b"", 0x6A86
        (tag, oid), = parse_tlvs(data)[:1]
        if tag != 0x5C:
            return b"", 0x6A80
        obj = int.from_bytes(oid, "big")
        if obj == 0x7E:  # discovery object
            return tlv(0x7E, tlv(0x4F, PIV_AID + bytes.fromhex("000010000100")) +
                       tlv(0x5F2F, b"\x40\x00")), 0x9000
        if obj not in self.objects:
            return b"", 0x6A82
        return tlv(0x53, self.objects[obj]), 0x9000

    def put_data(self, p1, p2, data):
        if not self.mgm_ok:
            return b"", 0x6982
        tl = dict(parse_tlvs(data))
        obj = int.from_bytes(tl[0x5C], "big")
        content = tl.get(0x53, b"")
        if content:
            self.objects[obj] = content
        else:
            self.objects.pop(obj, None)
        self._save()
        return b"", 0x9000

    def generate(self, p1, p2, data):
        if not self.mgm_ok:
            return b"", 0x6982
        slot = p2
        if slot not in SLOT_OBJ:
            return b"", 0x6B00
        (tag, inner), = parse_tlvs(data)[:1]
        if tag != 0xAC:
            return b"", 0x6A80
        params = dict(parse_tlvs(inner))
        alg = params.get(0x80, b"\x00")[0]
        policy = (params.get(0xAA, b"\x00")[0], params.get(0xAB, b"\x00")[0])
        if alg in CURVES:
            key = ec.generate_private_key(CURVES[alg])
            point = key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)
            out = tlv(0x7F49, tlv(0x86, point))
        elif alg == ALG_RSA2048:
            key = rsa.generate_private_key(65537, 2048)
            pn = key.public_key().public_numbers()
            out = tlv(0x7F49, tlv(0x81, pn.n.to_bytes(256, "big")) + tlv(0x82, b"\x01\x00\x01"))
        else:
            return b"", 0x6A80
        self.keys[slot] = key
        self.policies[slot] = policy
        self._save()
        return out, 0x9000

    def _cipher(self, encrypt, block):
        """The management key's block cipher in ECB mode (3DES: 8-byte, AES: 16-byte blocks)."""
        algorithm = TripleDES(self.mgm) if self.mgm_alg == ALG_3DES else AES(self.mgm)
        c = Cipher(algorithm, modes.ECB())
        op = c.encryptor() if encrypt else c.decryptor()
        return op.update(block) + op.finalize()

    def _block_size(self):
        return 8 if self.mgm_alg == ALG_3DES else 16

    def _pin_policy(self, slot):
        policy = self.policies.get(slot, (PIN_POLICY_DEFAULT, 0))[0]
        if policy == PIN_POLICY_DEFAULT:
            return {0x9C: PIN_ALWAYS, 0x9E: PIN_NEVER}.get(slot, PIN_ONCE)
        return policy

    def general_authenticate(self, alg, slot, data):
        (tag, dyn), = parse_tlvs(data)[:1]
        if tag != 0x7C:
            return b"", 0x6A80
        items = parse_tlvs(dyn)
        d = dict(items)
        if slot == 0x9B:  # management key mutual authentication
            if alg != self.mgm_alg:  # the algorithm must be the key's (as on a YubiKey)
                return b"", 0x6A80
            n = self._block_size()
            if 0x80 in d and d[0x80] == b"":  # step 1: client asks for a witness
                self.witness = secrets.token_bytes(n)
                return tlv(0x7C, tlv(0x80, self._cipher(True, self.witness))), 0x9000
            if 0x80 in d and 0x81 in d:  # step 2: decrypted witness + client challenge
                ok = self.witness is not None and d[0x80] == self.witness and len(d[0x81]) == n
                self.witness = None
                if not ok:
                    self.mgm_ok = False
                    return b"", 0x6982
                self.mgm_ok = True
                return tlv(0x7C, tlv(0x82, self._cipher(True, d[0x81]))), 0x9000
            if 0x81 in d and d.get(0x82, None) == b"":  # single challenge (card auth style)
                self.mgm_ok = True
                return tlv(0x7C, tlv(0x82, self._cipher(True, d[0x81]))), 0x9000
            return b"", 0x6A80
        key = self.keys.get(slot)
        if key is None:
            return b"", 0x6A82
        if alg != self._key_alg(key):
            return b"", 0x6A80
        policy = self._pin_policy(slot)
        if policy != PIN_NEVER and not self.pin_ok:
            return b"", 0x6982
        if policy == PIN_ALWAYS:  # the PIN covers one operation only
            self.pin_ok = False
        if 0x81 not in d:
            return b"", 0x6A80
        msg = d[0x81]
        if isinstance(key, ec.EllipticCurvePrivateKey):
            n = key.curve.key_size // 8
            digest = msg.rjust(n, b"\x00")[-n:]
            algo = hashes.SHA256() if n == 32 else hashes.SHA384()
            sig = key.sign(digest, ec.ECDSA(asym_utils.Prehashed(algo)))
        else:  # raw RSA: the client sends the already padded block
            if len(msg) != 256:
                return b"", 0x6A80
            pn = key.private_numbers()
            m = int.from_bytes(msg, "big")
            if m >= pn.public_numbers.n:
                return b"", 0x6A80
            sig = pow(m, pn.d, pn.public_numbers.n).to_bytes(256, "big")
        return tlv(0x7C, tlv(0x82, sig)), 0x9000

    @staticmethod
    def _key_alg(key):
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return ALG_P256 if key.curve.key_size == 256 else ALG_P384
        return ALG_RSA2048

    def set_management_key(self, p1, p2, data):
        """SET MANAGEMENT KEY (YubiKey): P1 FF, P2 FF (no touch) or FE; data = alg 9B len key."""
        if not self.mgm_ok:
            return b"", 0x6982
        if p1 != 0xFF or p2 not in (0xFF, 0xFE) or len(data) < 3 or data[1] != 0x9B:
            return b"", 0x6A80
        alg, n, key = data[0], data[2], data[3:]
        if alg not in MGM_KEY_LEN or n != len(key) or n != MGM_KEY_LEN[alg]:
            return b"", 0x6A80
        if alg != ALG_3DES and self.version < (5, 4, 0):
            return b"", 0x6A80
        self.mgm, self.mgm_alg = key, alg
        self._save()
        return b"", 0x9000

    def get_metadata(self, p1, p2, data):
        if self.version < (5, 3, 0):
            return b"", 0x6D00
        if p2 == 0x9B:
            default = b"\x01" if self.mgm == DEFAULT_MGM else b"\x00"
            return (tlv(0x01, bytes([self.mgm_alg])) + tlv(0x02, b"\x00\x01") +
                    tlv(0x05, default)), 0x9000
        if p2 == 0x80:
            return (tlv(0x01, b"\xff") + tlv(0x05, b"\x01" if self.pin == b"123456" else b"\x00") +
                    tlv(0x06, bytes([self.PIN_MAX, self.pin_tries]))), 0x9000
        if p2 not in SLOT_OBJ:
            return b"", 0x6B00
        key = self.keys.get(p2)
        if key is None:
            return b"", 0x6A82
        alg = self._key_alg(key)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            pub = tlv(0x86, key.public_key().public_bytes(serialization.Encoding.X962,
                                                          serialization.PublicFormat.UncompressedPoint))
        else:
            pn = key.public_key().public_numbers()
            pub = tlv(0x81, pn.n.to_bytes(256, "big")) + tlv(0x82, b"\x01\x00\x01")
        policy = bytes([self._pin_policy(p2), max(1, self.policies.get(p2, (0, 0))[1])])
        return (tlv(0x01, bytes([alg])) + tlv(0x02, policy) + tlv(0x03, b"\x01") +
                tlv(0x04, pub)), 0x9000


# ---- vpcd transport -------------------------------------------------------------------
QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def recvall(s, n):
    buf = b""
    while len(buf) < n:
        # vpcd writes the 2-byte length and the APDU with two send()s; with Nagle on its side
        # and delayed ACK on ours every APDU would stall ~40 ms. QUICKACK (re-armed before
        # each recv) makes us ACK at once: ~1 ms per APDU instead of ~42 ms.
        if QUICKACK is not None:
            try:
                s.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
            except OSError:
                pass
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve(sock, card, verbose):
    while True:
        hdr = recvall(sock, 2)
        if hdr is None:
            return
        n = struct.unpack(">H", hdr)[0]
        msg = recvall(sock, n) if n else b""
        if msg is None:
            return
        if n == 1:
            code = msg[0]
            if code == 4:
                sock.sendall(struct.pack(">H", len(card.getATR())) + card.getATR())
            elif code == 0:
                card.powerDown()
            elif code == 1:
                card.powerUp()
            elif code == 2:
                card.reset()
            continue
        rapdu = card.execute(msg)
        if verbose:
            print(f"> {msg.hex()}\n< {rapdu.hex()}", file=sys.stderr, flush=True)
        sock.sendall(struct.pack(">H", len(rapdu)) + rapdu)


def hostport(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connect", type=hostport, required=True, help="vpcd address, HOST:PORT")
    ap.add_argument("--pin", default="123456")
    ap.add_argument("--serial", type=int, default=12345678, help="card serial number (GET SERIAL)")
    ap.add_argument("--version", default="5.4.3", help="firmware version reported by GET VERSION")
    ap.add_argument("--mgm-alg", choices=sorted(MGM_ALG_NAMES), default="3des",
                    help="management key algorithm (YubiKey 5.7+ defaults to aes192)")
    ap.add_argument("--mgm-key", default=DEFAULT_MGM.hex(), help="management key, hex")
    ap.add_argument("--state", help="JSON file persisting keys/objects/PIN across restarts")
    ap.add_argument("--preset", default="", help="keys generated when the card starts without state, "
                    "e.g. 9a:ECCP256,9c:RSA2048")
    ap.add_argument("--ready-file", help="touch this file once connected")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    version = tuple(int(x) for x in a.version.split("."))
    mgm_alg = MGM_ALG_NAMES[a.mgm_alg]
    mgm = bytes.fromhex(a.mgm_key)
    if mgm_alg == ALG_AES128 and a.mgm_key == DEFAULT_MGM.hex():
        mgm = DEFAULT_MGM[:16]
    elif mgm_alg == ALG_AES256 and a.mgm_key == DEFAULT_MGM.hex():
        mgm = DEFAULT_MGM + DEFAULT_MGM[:8]
    fresh = not (a.state and os.path.exists(a.state))
    card = PivCard(pin=a.pin, serial=a.serial, version=version, state_file=a.state, mgm_alg=mgm_alg, mgm=mgm)
    if fresh and a.preset:
        algs = {"ECCP256": ALG_P256, "ECCP384": ALG_P384, "RSA2048": ALG_RSA2048}
        for item in a.preset.split(","):
            slot, alg = item.split(":")
            card.mgm_ok = True
            resp, status = card.generate(0, int(slot, 16), tlv(0xAC, tlv(0x80, bytes([algs[alg]]))))
            card.mgm_ok = False
            if status != 0x9000:
                sys.exit(f"cannot preset {item}")

    def ready():
        if a.ready_file:
            open(a.ready_file, "w").close()

    # vpcd server mode: we are the client; retry for up to 10 s
    for _ in range(100):
        try:
            s = socket.create_connection(a.connect, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit(f"cannot connect to vpcd at {a.connect}")
    s.settimeout(None)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # ~40 ms/APDU otherwise (Nagle + delayed ACK)
    ready()
    serve(s, card, a.verbose)


if __name__ == "__main__":
    main()
