/**
 * The worker's V8 inspector (`inspectorUrl` of bench/lib/worker.mjs: wrangler dev's
 * --inspector-port, or the runtime's own), for what process RSS cannot tell:
 * how much of the memory the runtime holds is live
 * (JS heap in use, as V8 accounts it) and how much is garbage V8 has not
 * collected yet — WASM memories of dropped codec instances, above all.
 * Uses Node's WebSocket (`--experimental-websocket` on Node 20, see the
 * `bench` script); wrangler's inspector proxy only accepts DevTools' origin.
 * workerd answers nothing before `Runtime.enable`, and never answers
 * `HeapProfiler.collectGarbage`; a heap snapshot does a full GC first, so
 * that is how a GC is forced.
 */
const DEVTOOLS_ORIGIN = 'https://devtools.devprod.cloudflare.dev';

const SNAPSHOT_QUIET_MS = 1_000;
const SNAPSHOT_TIMEOUT_MS = 60_000;
/**
 * How long one session may last, snapshot included. wrangler's inspector proxy runs in its proxy workerd
 * (not the runtime), which can stop answering under load; past the deadline the session closes and
 * every call still waiting fails, rather than hanging its caller.
 */
const SESSION_DEADLINE_MS = 90_000;

/**
 * @returns {Promise<{ send: (method: string, params?: object) => Promise<any>, fullGc: () => Promise<void>, close: () => void }>}
 */
export async function openInspector(url) {
  if (typeof WebSocket !== 'function') throw new Error('no WebSocket in this Node: run with --experimental-websocket');
  const socket = new WebSocket(url, { headers: { Origin: DEVTOOLS_ORIGIN } });
  const pending = new Map();
  const deadline = setTimeout(() => socket.close(), SESSION_DEADLINE_MS);
  const closed = new Promise((resolve) => socket.addEventListener('close', resolve, { once: true })).then(() => {
    clearTimeout(deadline);
    for (const waiter of pending.values()) waiter.reject(new Error(`${waiter.method}: the inspector closed (session deadline ${SESSION_DEADLINE_MS} ms)`));
    pending.clear();
  });
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`inspector ${url} refused the connection`)), { once: true });
    closed.then(() => reject(new Error(`inspector ${url} closed before it opened`)));
  });
  let nextId = 0;
  let lastSnapshotChunk = 0;
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') lastSnapshotChunk = Date.now();
    const waiter = pending.get(message.id);
    if (!waiter) return; // events
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Runtime.enable');
  return {
    send,
    /** Takes (and discards) a heap snapshot: done once its chunks stop coming. */
    async fullGc() {
      const started = Date.now();
      socket.send(JSON.stringify({ id: ++nextId, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }));
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = Date.now();
        if (lastSnapshotChunk > started && now - lastSnapshotChunk > SNAPSHOT_QUIET_MS) return;
        if (now - started > SNAPSHOT_TIMEOUT_MS) throw new Error('heap snapshot did not arrive');
        if (socket.readyState !== WebSocket.OPEN) throw new Error('the inspector closed during the heap snapshot');
      }
    },
    close: () => socket.close(),
  };
}
