"""Symmetric encryption at rest for secrets the tool keeps, keyed from configuration."""
import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12


def derive_key(secret: str, purpose: str) -> bytes:
    """Derive a 256-bit key for one purpose from a configured secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"veilig-online:{purpose}".encode()).derive(secret.encode())


def encrypt(key: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    """Encrypt with AES-GCM; the random nonce travels in front of the ciphertext."""
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def decrypt(key: bytes, blob: bytes, associated: bytes = b"") -> bytes:
    """Decrypt what encrypt() produced; raises InvalidTag when the key or data is wrong."""
    return AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], associated)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
