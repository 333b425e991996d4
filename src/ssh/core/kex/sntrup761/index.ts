// Streamlined NTRU Prime sntrup761, the KEM of sntrup761x25519-sha512 (OpenSSH's default from 9.0 to 9.9).
export { CIPHERTEXT_BYTES, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, decapsulate, encapsulate, keypair, type RandomSource } from './kem';
