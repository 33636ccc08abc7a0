/**
 * The console's only way to the worker: /api/v1 with the admin token, which
 * lives in sessionStorage (this tab only; never a cookie, never in a URL).
 */
const TOKEN_KEY = 'edgepix-admin-token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refused request: `problem` is the server's RFC 9457 document (or one made up for a network failure). */
export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.problem = problem;
    this.status = problem.status;
  }
}

/** Listeners told when the token is refused (401), so the console can ask for it again. */
const unauthorizedListeners = new Set();
export const onUnauthorized = (listener) => unauthorizedListeners.add(listener);

async function problemOf(response) {
  try {
    const body = await response.json();
    if (body && typeof body === 'object' && 'status' in body) return body;
  } catch { /* not JSON: fall through */ }
  return { status: response.status, title: response.statusText, detail: `The server answered ${response.status} ${response.statusText}.` };
}

function refuse(problem, notify = true) {
  if (problem.status === 401 && notify) for (const listener of unauthorizedListeners) listener(problem);
  throw new ApiError(problem);
}

/** How often a transient refusal is sent again before it is shown. */
const RETRIES = 2;
/** The longest Retry-After the console waits out by itself, in seconds; a longer one is shown. */
const MAX_RETRY_AFTER_S = 5;

/**
 * How long to wait before sending a request again, or undefined to give up:
 * a 503 with Retry-After is transient — the worker busy, storage briefly
 * unavailable, or `wrangler dev`'s proxy losing a request on a closing
 * connection (workers-sdk#14641) — and every request the console sends is
 * safe to repeat (uploads are keyed by content, signing and deleting repeat).
 */
function retryDelayMs(status, retryAfter, attempt) {
  const seconds = Number(retryAfter ?? NaN);
  if (status !== 503 || attempt > RETRIES || !(seconds >= 0 && seconds <= MAX_RETRY_AFTER_S)) return undefined;
  return Math.max(seconds * 1000, attempt * 250);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** JSON in, JSON out; a problem answer throws ApiError. */
export async function api(path, { method = 'GET', body, tokenOverride } = {}) {
  const headers = { Authorization: `Bearer ${tokenOverride ?? token.get()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  for (let attempt = 1; ; attempt++) {
    try {
      response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError({ status: 0, title: 'Network error', detail: 'The worker could not be reached.' });
    }
    const wait = retryDelayMs(response.status, response.headers.get('Retry-After'), attempt);
    if (wait === undefined) break;
    await pause(wait);
  }
  // A token being tried (sign-in) is not the session's token: its refusal signs nobody out.
  if (!response.ok) refuse(await problemOf(response), tokenOverride === undefined);
  return response.json();
}

/** Each `/`-separated segment percent-encoded, as edgepix/sign's encodeKey does. */
export const encodeKey = (key) => key.split('/').map(encodeURIComponent).join('/');

/**
 * Uploads one file with XMLHttpRequest, the one browser API that reports
 * upload progress. Resolves to the stored image, or rejects with ApiError
 * carrying the server's problem for this file; a transient 503 is sent
 * again first (retryDelayMs).
 */
export function uploadFile(file, { prefix, onProgress }) {
  const form = new FormData();
  form.append('file', file, file.name);
  if (prefix) form.append('prefix', prefix);
  return new Promise((resolve, reject) => {
    const send = (attempt) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/images');
      xhr.setRequestHeader('Authorization', `Bearer ${token.get()}`);
      xhr.responseType = 'json';
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener('load', () => {
        const body = xhr.response;
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(1);
          resolve(body.results?.[0] ?? body);
          return;
        }
        const wait = retryDelayMs(xhr.status, xhr.getResponseHeader('Retry-After'), attempt);
        if (wait !== undefined) {
          setTimeout(() => send(attempt + 1), wait);
          return;
        }
        const problem = body && typeof body === 'object' && 'status' in body
          ? body
          : { status: xhr.status, title: xhr.statusText, detail: `The server answered ${xhr.status}.` };
        try {
          refuse(problem);
        } catch (error) {
          reject(error);
        }
      });
      xhr.addEventListener('error', () => reject(new ApiError({ status: 0, title: 'Network error', detail: 'The upload did not reach the worker.' })));
      xhr.send(form);
    };
    send(1);
  });
}

const signed = new Map();

/**
 * A URL an `<img>` can load for an /img (or Thumbor unsafe/) path: signed by
 * the worker (POST /api/v1/sign) so private originals show too. Kept for
 * reuse until shortly before it expires; without keys, the path as is.
 */
export async function displayUrl(path, expiresIn = 3600) {
  const cached = signed.get(path);
  if (cached && cached.expiresAt - Date.now() > 60_000) return cached.url;
  try {
    const reply = await api('/sign', { method: 'POST', body: { path, expiresIn } });
    // Thumbor signatures do not expire.
    signed.set(path, { url: reply.path, expiresAt: reply.expiresAt ? Date.parse(reply.expiresAt) : Infinity });
    return reply.path;
  } catch (error) {
    if (error.status === 401) throw error;
    return path; // no SIGNING_KEYS: only unsigned URLs can work (ALLOW_UNSIGNED)
  }
}
