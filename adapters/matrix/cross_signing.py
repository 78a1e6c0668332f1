"""The bot account's cross-signing identity: a master key, a self-signing key, and the bot's
device signed by them, so that clients which exclude devices their owner has not cross-signed
(Element since 2026, MSC4153) share room keys with the bot and show its messages.

matrix-nio 0.26 has no cross-signing, so this module does the little a bot needs: it verifies
nobody, so there is no user-signing key, no secret storage and no key backup. The private keys
live beside nio's store in `cross-signing.keys`, encrypted with the pickle key. At every start
`ensure` reads the account's keys from `/keys/query` and repairs what is missing; an identity on
the server that the bot does not hold is never replaced here (`reset` does that, on an
operator's explicit command).

Ed25519 and AES-GCM come from `cryptography`, canonical JSON from `canonicaljson`.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import aiohttp
from canonicaljson import encode_canonical_json
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nio.client.async_client import AsyncClient
from unpaddedbase64 import decode_base64, encode_base64

log = logging.getLogger(__name__)

KEYS_FILE = "cross-signing.keys"
DEVICE_ALGORITHMS = ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"]
"""What nio publishes for its device (`Olm._algorithms`); the signed object must equal it."""
API = "/_matrix/client/v3"


class IdentityNotHeld(Exception):
    """The account has a cross-signing identity whose private keys the bot does not hold."""


class IdentityError(Exception):
    """The homeserver refused or failed a cross-signing request."""


class KeysFileError(IdentityError):
    """`cross-signing.keys` cannot be opened (another pickle key, another account)."""


class Repair(StrEnum):
    KEYS_UPLOADED = "cross-signing keys uploaded"
    DEVICE_SIGNED = "device signed"
    STALE_DEVICES_DELETED = "stale devices deleted"


@dataclass
class Report:
    """What `ensure` or `reset` changed; empty when the chain was already whole."""

    repairs: list[Repair] = field(default_factory=list)
    deleted_devices: list[str] = field(default_factory=list)
    master_key: str = ""


# --- keys and signatures --------------------------------------------------------------------


def public_base64(key: Ed25519PrivateKey) -> str:
    return encode_base64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def canonical(obj: dict[str, Any]) -> bytes:
    """What is signed: the object without `signatures` and `unsigned`, as canonical JSON."""
    return encode_canonical_json({k: v for k, v in obj.items() if k not in ("signatures", "unsigned")})


def sign(obj: dict[str, Any], user_id: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """`obj` with this key's signature added beside those it already carries."""
    signature = encode_base64(key.sign(canonical(obj)))
    signatures = {user: dict(by_key) for user, by_key in obj.get("signatures", {}).items()}
    signatures.setdefault(user_id, {})[f"ed25519:{public_base64(key)}"] = signature
    return {**obj, "signatures": signatures}


def signed_by(obj: dict[str, Any], user_id: str, public_key: str) -> bool:
    """Whether `obj` carries a valid signature by the Ed25519 key `public_key` (base64)."""
    signature = obj.get("signatures", {}).get(user_id, {}).get(f"ed25519:{public_key}")
    if not isinstance(signature, str):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(decode_base64(public_key)).verify(decode_base64(signature), canonical(obj))
    except Exception:  # a malformed key or signature is no signature
        return False
    return True


@dataclass(frozen=True)
class CrossSigningKeys:
    master: Ed25519PrivateKey
    self_signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @property
    def master_public(self) -> str:
        return public_base64(self.master)

    @property
    def self_signing_public(self) -> str:
        return public_base64(self.self_signing)

    def master_key(self, user_id: str) -> dict[str, Any]:
        key = self.master_public
        return {"user_id": user_id, "usage": ["master"], "keys": {f"ed25519:{key}": key}}

    def self_signing_key(self, user_id: str) -> dict[str, Any]:
        key = self.self_signing_public
        unsigned = {"user_id": user_id, "usage": ["self_signing"], "keys": {f"ed25519:{key}": key}}
        return sign(unsigned, user_id, self.master)


# --- the keys file --------------------------------------------------------------------------

_SCRYPT = {"length": 32, "n": 2**15, "r": 8, "p": 1}


def _cipher(pickle_key: str, salt: bytes) -> AESGCM:
    return AESGCM(Scrypt(salt=salt, **_SCRYPT).derive(pickle_key.encode()))


def save_keys(store_path: Path, keys: CrossSigningKeys, user_id: str, pickle_key: str) -> None:
    """Encrypted with a key derived from the pickle key (scrypt, AES-256-GCM, the user id as
    associated data); written to a temporary file first, mode 0600."""
    seeds = {
        "master": encode_base64(keys.master.private_bytes_raw()),
        "self_signing": encode_base64(keys.self_signing.private_bytes_raw()),
    }
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = _cipher(pickle_key, salt).encrypt(nonce, json.dumps(seeds).encode(), user_id.encode())
    data = {
        "version": 1,
        "user_id": user_id,
        "kdf": {"name": "scrypt", **{k: v for k, v in _SCRYPT.items() if k != "length"}},
        "salt": encode_base64(salt),
        "nonce": encode_base64(nonce),
        "ciphertext": encode_base64(sealed),
        "master_key": keys.master_public,
    }
    path = store_path / KEYS_FILE
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(data, file)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def load_keys(store_path: Path, user_id: str, pickle_key: str) -> CrossSigningKeys | None:
    """The saved keys, or None when there is no file. A file that cannot be opened with this
    pickle key (or belongs to another account) is an error, never silently replaced."""
    try:
        data = json.loads((store_path / KEYS_FILE).read_text())
    except FileNotFoundError:
        return None
    if data.get("user_id") != user_id:
        raise KeysFileError(f"{KEYS_FILE} in {store_path} belongs to {data.get('user_id')}, not {user_id}")
    try:
        salt, nonce = decode_base64(data["salt"]), decode_base64(data["nonce"])
        seeds = json.loads(
            _cipher(pickle_key, salt).decrypt(nonce, decode_base64(data["ciphertext"]), user_id.encode())
        )
    except InvalidTag as error:
        raise KeysFileError(f"{KEYS_FILE} cannot be opened with this MATRIX_PICKLE_KEY") from error
    return CrossSigningKeys(
        Ed25519PrivateKey.from_private_bytes(decode_base64(seeds["master"])),
        Ed25519PrivateKey.from_private_bytes(decode_base64(seeds["self_signing"])),
    )


# --- the account on the homeserver -----------------------------------------------------------


def _only_key(key_object: dict[str, Any] | None) -> str | None:
    keys = list((key_object or {}).get("keys", {}).values())
    return keys[0] if len(keys) == 1 and isinstance(keys[0], str) else None


class CrossSigning:
    """Sets up and repairs the chain master key → self-signing key → this device."""

    def __init__(self, client: AsyncClient, store_path: Path, pickle_key: str, password: str, device_name: str) -> None:
        self.client = client
        self.store_path = store_path
        self.pickle_key = pickle_key
        self.password = password
        self.device_name = device_name

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    def device_keys(self) -> dict[str, Any]:
        """This device's keys as nio publishes them, built from the Olm account itself (not
        from the server's listing, which whoever controls the server could change)."""
        olm = self.client.olm
        assert olm is not None, "encryption is enabled and the store loaded"
        identity = olm.account.identity_keys
        device_id = str(self.client.device_id)
        return {
            "algorithms": DEVICE_ALGORITHMS,
            "device_id": device_id,
            "user_id": self.user_id,
            "keys": {f"curve25519:{device_id}": identity["curve25519"], f"ed25519:{device_id}": identity["ed25519"]},
        }

    async def ensure(self) -> Report:
        """Makes the chain whole; with nothing missing it changes nothing. Raises
        IdentityNotHeld when the account's master key is not the one the bot holds."""
        report = Report()
        keys = load_keys(self.store_path, self.user_id, self.pickle_key)
        listing = await self.query()
        server_master = _only_key(listing.get("master_keys", {}).get(self.user_id))
        if server_master is None:
            if keys is None:
                keys = CrossSigningKeys.generate()
                save_keys(self.store_path, keys, self.user_id, self.pickle_key)  # before the upload: never lose it
            await self._upload_identity(keys)
            report.repairs.append(Repair.KEYS_UPLOADED)
            listing = await self.query()
        elif keys is None or server_master != keys.master_public:
            raise IdentityNotHeld(
                f"the Matrix account {self.user_id} has a cross-signing identity (master key {server_master}) "
                f"whose private keys are not in {self.store_path / KEYS_FILE}"
            )
        elif _only_key(listing.get("self_signing_keys", {}).get(self.user_id)) != keys.self_signing_public:
            # Same master key, self-signing key missing or different: upload ours again
            # (Synapse takes a repeat of the same master key without a password).
            await self._upload_identity(keys)
            report.repairs.append(Repair.KEYS_UPLOADED)
            listing = await self.query()
        report.master_key = keys.master_public
        await self._sign_device(keys, listing, report)
        await self._delete_stale_devices(report)
        return report

    async def reset(self) -> Report:
        """A new identity replacing whatever the account has: only on an operator's command.
        Residents' clients that knew the old identity will show that it changed."""
        report = Report()
        keys = CrossSigningKeys.generate()
        await self._upload_identity(keys)
        save_keys(self.store_path, keys, self.user_id, self.pickle_key)
        report.repairs.append(Repair.KEYS_UPLOADED)
        report.master_key = keys.master_public
        await self._sign_device(keys, await self.query(), report)
        await self._delete_stale_devices(report)
        return report

    async def query(self) -> dict[str, Any]:
        return await self._request("POST", "/keys/query", {"device_keys": {self.user_id: []}})

    async def _upload_identity(self, keys: CrossSigningKeys) -> None:
        body = {
            "master_key": keys.master_key(self.user_id),
            "self_signing_key": keys.self_signing_key(self.user_id),
        }
        await self._request("POST", "/keys/device_signing/upload", body, interactive=True)
        log.info("uploaded the bot's cross-signing keys (master key %s)", keys.master_public)

    async def _sign_device(self, keys: CrossSigningKeys, listing: dict[str, Any], report: Report) -> None:
        mine = self.device_keys()
        device_id = mine["device_id"]
        listed = listing.get("device_keys", {}).get(self.user_id, {}).get(device_id)
        if listed is None:
            raise IdentityError(f"device {device_id} has no keys on the homeserver yet")
        if canonical(listed) != canonical(mine):
            raise IdentityError(f"the homeserver lists other keys for device {device_id} than its Olm account holds")
        if signed_by(listed, self.user_id, keys.self_signing_public):
            return
        signed = sign(mine, self.user_id, keys.self_signing)
        answer = await self._request("POST", "/keys/signatures/upload", {self.user_id: {device_id: signed}})
        if answer.get("failures"):
            raise IdentityError(f"the homeserver refused the device signature: {answer['failures']}")
        report.repairs.append(Repair.DEVICE_SIGNED)
        log.info("signed device %s with the bot's self-signing key", device_id)

    async def _delete_stale_devices(self, report: Report) -> None:
        """Other devices of the bot (by their name): left behind by a lost store, they would
        keep receiving residents' room keys. Devices named otherwise (an operator's Element
        session) are left alone."""
        devices = (await self._request("GET", "/devices")).get("devices", [])
        stale = [
            device["device_id"]
            for device in devices
            if device.get("device_id") != self.client.device_id and device.get("display_name") == self.device_name
        ]
        if not stale:
            return
        try:
            await self._request("POST", "/delete_devices", {"devices": stale}, interactive=True)
        except IdentityError as error:
            # The chain is whole all the same; the next start tries again.
            log.warning("could not delete the bot's stale devices %s: %s", ", ".join(stale), error)
            return
        report.repairs.append(Repair.STALE_DEVICES_DELETED)
        report.deleted_devices.extend(stale)
        log.info("deleted %d stale device(s) of the bot: %s", len(stale), ", ".join(stale))

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, interactive: bool = False
    ) -> dict[str, Any]:
        """One client-server request; with `interactive`, a 401 asking for user-interactive
        auth is answered with the account's password (`m.login.password`)."""
        status, answer = await self._send(method, path, body)
        if status == 401 and interactive and "flows" in answer:
            flows = [flow.get("stages", []) for flow in answer["flows"]]
            if ["m.login.password"] not in flows:
                raise IdentityError(f"{path} asks for authentication other than a password: {flows}")
            auth = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": self.password,
                "session": answer.get("session"),
            }
            status, answer = await self._send(method, path, {**(body or {}), "auth": auth})
        if status != 200:
            raise IdentityError(f"{method} {path} answered {status}: {answer.get('errcode')} {answer.get('error')}")
        return answer

    async def _send(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        try:
            response = await self.client.send(
                method, API + path, None if body is None else json.dumps(body), headers=headers
            )
            async with response:
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = {}
                return response.status, answer if isinstance(answer, dict) else {}
        except (aiohttp.ClientError, TimeoutError) as error:
            raise IdentityError(f"{method} {path} failed: {error}") from error
