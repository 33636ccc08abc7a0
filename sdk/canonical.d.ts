/** Types for canonical.js: what an edgepix signature covers. */
export declare const SIGNATURE_PARAM: 'sig';
export declare const EXPIRES_PARAM: 'exp';
export declare const KEY_ID_PARAM: 'kid';
export declare const KEY_ID_PATTERN: RegExp;
export declare function pieceName(piece: string): string;
export declare function queryPieces(query: string): string[];
/** `path` and `query` exactly as sent (percent-encoded); `query` may start with `?`. */
export declare function stringToSign(path: string, query: string): string;
export declare function importHmacKey(
  secret: string,
  hash: 'SHA-256' | 'SHA-1',
  usages: Array<'sign' | 'verify'>,
): Promise<CryptoKey>;
export declare function encodeBase64url(bytes: Uint8Array, options?: { padding?: boolean }): string;
/** Only the canonical spelling (padded exactly when `padding`) decodes. */
export declare function decodeBase64url(text: string, options?: { padding?: boolean }): Uint8Array | undefined;
export declare function hmacSha256(secret: string, message: string): Promise<Uint8Array>;
