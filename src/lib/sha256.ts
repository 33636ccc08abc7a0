/** SHA-256 as lowercase hex: content hashes for keys and R2 integrity checks, token record names. */
import { toHex } from './hex';

export const sha256Hex = async (bytes: Uint8Array) => toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
