"""Webhook secrets sealed by envelope encryption under the stack's KMS key (`WEBHOOK_SECRETS_KEY`).

Sealing asks KMS for a fresh 256-bit data key (GenerateDataKey), encrypts the secret with it (AES-GCM) and
keeps only the data key as KMS encrypted it; opening asks KMS to decrypt that data key (Decrypt), which only
the deliverer's role may do. Both bind an encryption context naming the subscription (KMS checks it, and it
is AES-GCM's associated data), so a ciphertext copied onto another subscription does not open.

    envelope = "kms1.<base64 encrypted data key>.<base64 nonce>.<base64 AES-GCM ciphertext>"
"""

import base64
import json
import secrets

from pydantic import SecretStr

from financing.adapters.aws import client
from financing.config import settings
from financing.domain.webhooks import SealedSecret

VERSION = "kms1"
_NONCE_BYTES = 12


def _context(tenant_id: str, subscription_id: str) -> dict[str, str]:
    return {"purpose": "webhook-secret", "tenant_id": tenant_id, "subscription_id": subscription_id}


def _associated(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


def _aead(key: bytes):
    # Imported here: only the functions that seal or open secrets pay for loading it.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


class SecretBox:
    def __init__(self, key_id: str | None = None) -> None:
        self.key_id = key_id or settings().webhook_secrets_key

    def seal(self, secret: SecretStr, tenant_id: str, subscription_id: str) -> SealedSecret:
        context = _context(tenant_id, subscription_id)
        data_key = client("kms").generate_data_key(
            KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context
        )
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = _aead(data_key["Plaintext"]).encrypt(
            nonce, secret.get_secret_value().encode(), _associated(context)
        )
        parts = [data_key["CiphertextBlob"], nonce, sealed]
        return SealedSecret(envelope=".".join([VERSION, *(base64.b64encode(p).decode() for p in parts)]))

    def open(self, sealed: SealedSecret, tenant_id: str, subscription_id: str) -> SecretStr:
        """The secret; raises (KMS InvalidCiphertextException, or cryptography's InvalidTag) when the envelope
        was not sealed for this subscription under this key."""
        version, *parts = sealed.envelope.split(".")
        if version != VERSION or len(parts) != 3:
            raise ValueError("not a sealed webhook secret")
        data_key, nonce, ciphertext = (base64.b64decode(p) for p in parts)
        context = _context(tenant_id, subscription_id)
        plaintext_key = client("kms").decrypt(
            CiphertextBlob=data_key, EncryptionContext=context, KeyId=self.key_id
        )["Plaintext"]
        return SecretStr(_aead(plaintext_key).decrypt(nonce, ciphertext, _associated(context)).decode())
