/**
 * Object keys as URLs carry them. Allowed: any printable Unicode except
 * backslash, up to 1024 UTF-8 bytes (R2's limit), `/`-separated segments
 * that are neither empty nor `.` or `..`.
 */
import { invalidKey } from '../errors';
import { FILE_EXTENSIONS, type InputFormat } from './formats';

const MAX_KEY_BYTES = 1024;
// C0/C1 controls, DEL and backslash have no business in a key.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/;

export function validateKey(key: string): string {
  if (key.length === 0) throw invalidKey('The key is empty.');
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) {
    throw invalidKey(`The key is longer than ${MAX_KEY_BYTES} bytes.`);
  }
  if (FORBIDDEN.test(key)) throw invalidKey('The key contains a control character or backslash.');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalidKey('The key has an empty, "." or ".." segment.');
    }
  }
  return key;
}

/** Decodes a raw URL path into a key; an encoded `%2F` is a `/` like any other. */
export function decodeKey(rawPath: string): string {
  let key: string;
  try {
    key = decodeURIComponent(rawPath);
  } catch {
    throw invalidKey('The key is not valid percent-encoding.');
  }
  return validateKey(key);
}

/** A key as a URL path: each segment percent-encoded, the `/` between them kept. */
export const encodeKeyPath = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/** A prefix is a key without its last segment: the same rules, a trailing `/` optional. */
export const validatePrefix = (prefix: string) => validateKey(prefix.replace(/\/+$/, ''));

/** Where an upload lands: an explicit key, or `<prefix>/<sha256>.<ext>` named by its content. */
export interface UploadTarget {
  key?: string;
  prefix?: string;
  overwrite: boolean;
}

export function contentAddressedKey(sha256: string, format: InputFormat, prefix?: string): string {
  const name = `${sha256}.${FILE_EXTENSIONS[format]}`;
  return validateKey(prefix ? `${prefix}/${name}` : name);
}
