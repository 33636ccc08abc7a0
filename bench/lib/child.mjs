/**
 * Runs a bench module in a long-lived child process and calls its exported
 * functions over IPC. References (sharp, the naive pipeline) get their own
 * memory and thread settings, and stay up so their runs can be interleaved
 * with edgepix's: every pipeline then sees the same machine load.
 *
 *   const sharp = await startChild('sharp-ref.mjs', { UV_THREADPOOL_SIZE: '1' });
 *   const ms = await sharp.call('timeTransform', file, transform);
 *   await sharp.stop();
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('child-entry.mjs', import.meta.url));

/**
 * @param {string} moduleName  a file in bench/lib whose exports the child may call
 * @param {Record<string, string>} [env]  added to the child's environment (read at its start-up)
 */
export function startChild(moduleName, env = {}) {
  const child = fork(ENTRY, [moduleName], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 0;
  child.on('message', ({ id, result, error }) => {
    const call = pending.get(id);
    pending.delete(id);
    if (error) call.reject(new Error(error));
    else call.resolve(result);
  });
  child.on('exit', (code, signal) => {
    for (const call of pending.values()) call.reject(new Error(`${moduleName} child exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    pid: child.pid,
    call(name, ...args) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, name, args });
      });
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
