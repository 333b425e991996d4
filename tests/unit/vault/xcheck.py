#!/usr/bin/env python3
"""An independent writer of Postern vault format v1 (src/vault/format.ts), for the fixed test vectors.

Uses only Python's hashlib.scrypt and pyca/cryptography's IETF ChaCha20-Poly1305; XChaCha20 is built from
HChaCha20 (draft-irtf-cfrg-xchacha §2.2), derived here from one raw ChaCha20 block by subtracting the
input state that the block function adds back (RFC 8439 §2.3). Prints the vector bytes as JSON.
"""
import hashlib
import json
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305


def hchacha20(key: bytes, nonce16: bytes) -> bytes:
    block = Cipher(algorithms.ChaCha20(key, nonce16), mode=None).encryptor().update(bytes(64))
    out_words = struct.unpack('<16I', block)
    state = struct.unpack('<4I', b'expand 32-byte k') + struct.unpack('<8I', key) + struct.unpack('<4I', nonce16)
    picked = [(out_words[i] - state[i]) & 0xFFFFFFFF for i in (0, 1, 2, 3, 12, 13, 14, 15)]
    return struct.pack('<8I', *picked)


def xchacha20poly1305_seal(key: bytes, nonce24: bytes, plaintext: bytes, ad: bytes) -> bytes:
    subkey = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(subkey).encrypt(b'\0\0\0\0' + nonce24[16:], plaintext, ad)


def seq(n: int, start: int) -> bytes:
    return bytes((start + i) & 0xFF for i in range(n))


salt, vault_id, wrap_nonce, vault_key = seq(16, 0x00), seq(16, 0x10), seq(24, 0x20), seq(32, 0x40)
log_n, r, p = 10, 8, 1
kek = hashlib.scrypt(b'correct horse battery staple', salt=salt, n=2**log_n, r=r, p=p, dklen=32)

prefix = b'PVLT' + bytes([1, 1, log_n, r, p]) + vault_id + salt
header = prefix + wrap_nonce + xchacha20poly1305_seal(kek, wrap_nonce, vault_key, prefix)
header += hashlib.sha256(header).digest()

name = 'deploy key'.encode('utf-8')
secret_nonce = seq(24, 0x80)
ad = b'PVSK\x01' + vault_id + struct.pack('>I', len(name)) + name
sealed = b'PVSK\x01' + secret_nonce + xchacha20poly1305_seal(vault_key, secret_nonce, b'\x01not a real key', ad)

print(json.dumps({'kek': kek.hex(), 'header': header.hex(), 'sealed': sealed.hex()}))
