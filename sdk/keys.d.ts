/** Types for keys.js: the SIGNING_KEYS format. */
export interface SigningKey {
  kid: string;
  secret: string;
}
export declare const SIGNING_KEYS_FORMAT: string;
export declare function parseSigningKeys(text: string): SigningKey[] | undefined;
