/** A byte (0–255) as two lowercase hex digits. */
export const hexByte = (n: number) => n.toString(16).padStart(2, '0');

export const toHex = (bytes: Uint8Array) => Array.from(bytes, hexByte).join('');
