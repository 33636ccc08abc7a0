/**
 * Starts and stops a Worker under `wrangler dev` on 127.0.0.1 and finds the
 * workerd process that runs it, so its memory can be read from /proc.
 *
 * `wrangler dev` runs two workerd processes: a proxy that owns the public
 * port (`--socket-addr=entry=127.0.0.1:<port>`) and forwards every request,
 * and the runtime that runs the Worker together with its local R2 and Cache
 * API (`--socket-addr=entry=127.0.0.1:0`, with the inspector). We measure the
 * runtime; `probeRuntimeProcess` in the speed section double-checks that it is
 * the one whose RSS moves under load.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { request } from './http.mjs';
import { LOGS_DIR, ROOT, WRANGLER_BIN } from './paths.mjs';
import { descendants, isAlive, listeningPorts, readArgv, readMemory, resetPeak } from './procfs.mjs';
import { sleep } from './stats.mjs';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
/** Some of the runtime's sockets (its debug port) accept HTTP and never answer. */
const PROBE_TIMEOUT_MS = 2_000;

/** What `wrangler dev` builds the worker from (sdk/ and wasm/ are imported by src/, public/ is its assets). */
const SOURCES = ['src', 'sdk', 'wasm', 'public', 'wrangler.toml', 'package.json', 'tsconfig.json'];

/**
 * Copies the worker's sources into `dir` and returns its wrangler.toml, for a section that must keep
 * one runtime process: `wrangler dev` watches its sources and, when anyone edits them (other work in
 * this checkout), rebuilds and starts a new runtime workerd, which ends a measurement of the old one.
 * The copy lives under the repository, so its imports still resolve in the repository's node_modules.
 * `.dev.vars` is not copied: the bench passes what it needs with `--var`.
 * @returns {{ config: string, cwd: string, uncommitted: string[] }}  `uncommitted`: copied files that differ from HEAD
 */
export function snapshotSources(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const name of SOURCES) {
    const from = path.join(ROOT, name);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, name), { recursive: true });
  }
  let uncommitted = [];
  try {
    const status = execFileSync('git', ['status', '--porcelain', '--', ...SOURCES], { cwd: ROOT, encoding: 'utf8' });
    uncommitted = status.split('\n').filter(Boolean).map((line) => line.slice(3));
  } catch {
    // not a git checkout
  }
  return { config: path.join(dir, 'wrangler.toml'), cwd: dir, uncommitted };
}

/** Environment for every wrangler command: no telemetry. */
export const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function logTail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** The runtime workerd among wrangler's descendants: the one not bound to the public port. */
function findRuntimeProcess(wranglerPid, port) {
  const workerds = descendants(wranglerPid).filter((p) => p.comm === 'workerd');
  const proxyAddr = `--socket-addr=entry=${HOST}:${port}`;
  const runtimes = workerds.filter((p) => !p.argv.includes(proxyAddr));
  if (runtimes.length !== 1) {
    const seen = workerds.map((p) => `${p.pid}: ${p.argv.slice(1).join(' ')}`).join('\n  ');
    throw new Error(`Expected one runtime workerd under wrangler ${wranglerPid}, found ${runtimes.length}:\n  ${seen}`);
  }
  return { runtimePid: runtimes[0].pid, proxyPid: workerds.find((p) => p.argv.includes(proxyAddr))?.pid ?? null };
}

const WORKER_ISOLATE = 'core:user:';

/** The isolates of a workerd inspector (`/json/list`) as `{ id, url }`, `url` a DevTools WebSocket. */
const inspectorTargets = (response) => JSON.parse(response.body.toString('utf8')).map((target) => ({ id: target.id, url: target.webSocketDebuggerUrl }));

/**
 * The runtime's own inspector, `http://127.0.0.1:<port>`: of every port the runtime workerd listens on
 * (entry, inspector, debug port; wrangler starts them on port 0, so they are known only from /proc), the
 * one whose `/json/list` names the Worker's isolate.
 */
async function findRuntimeInspector(runtimePid) {
  const probe = async (port) => {
    try {
      const response = await request(`http://${HOST}:${port}/json/list`, { timeoutMs: PROBE_TIMEOUT_MS });
      return response.status === 200 && inspectorTargets(response).some(({ id }) => id.startsWith(WORKER_ISOLATE)) ? `http://${HOST}:${port}` : null;
    } catch {
      return null; // not an HTTP socket, or one that never answers, or not JSON
    }
  };
  const ports = listeningPorts(runtimePid);
  const found = (await Promise.all(ports.map(probe))).filter(Boolean);
  if (found.length !== 1) throw new Error(`Expected one inspector of the runtime workerd ${runtimePid} among ports ${ports.join(', ')}, found ${found.length}`);
  return found[0];
}

/**
 * `worker.isolates()`: every isolate of the runtime, the Worker's (`worker: true`) and those of miniflare's
 * R2, Cache API and queue simulators, asset router and entry, which run in the same process.
 */
const listIsolates = (inspectorBase) => async () =>
  inspectorTargets(await request(`${inspectorBase}/json/list`)).map((target) => ({ ...target, worker: target.id.startsWith(WORKER_ISOLATE) }));

async function waitUntilReady(url, child, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${logTail(logFile)}`);
    try {
      const response = await request(`${url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url}/healthz not ready after ${READY_TIMEOUT_MS} ms:\n${logTail(logFile)}`);
}

/** Process groups of workers started with `processGroup: true` that have not been stopped yet. */
const groups = new Set();

/**
 * SIGKILLs every process group of a worker started with `processGroup: true` and not stopped yet:
 * synchronous, for `process.on('exit')` and signal handlers, so no wrangler or workerd outlives the caller.
 */
export function killWorkerGroups() {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // the group has already ended
    }
  }
  groups.clear();
}

/**
 * Runs `wrangler dev` for one Worker and resolves once `/healthz` answers 200.
 * @param {{ name: string, config: string, persistTo: string, vars?: Record<string, string>, cwd?: string,
 *   envFile?: string, processGroup?: boolean }} options
 *   `name` labels the log file (bench/.work/logs/<name>.log); `config` is a wrangler.toml;
 *   `persistTo` holds the local R2 and Cache API; `vars` are more `--var NAME:value` (e.g. BENCH_MEMORY_METER);
 *   `cwd` is wrangler's working directory (the repository; `snapshotSources` gives another);
 *   `envFile`: secrets and variables from this file (`--env-file`) instead of the `.dev.vars` beside `config`;
 *   `processGroup`: wrangler leads its own process group (with its workerd processes), which `stop()` and
 *   `killWorkerGroups()` kill whole; a terminal's Ctrl-C then reaches only the caller, which must handle it;
 *   `inspectorProxy: false`: no wrangler inspector proxy; `inspectorUrl` is then the runtime's own inspector,
 *   and `isolates()` lists every isolate of the runtime, each with its own inspector session.
 *   The proxy lives in the proxy workerd and holds the runtime's one inspector session, receiving every
 *   console.log (edgepix logs a line per request): under sustained load it falls behind, grows (930 MB
 *   after 180 s of `npm run load`) and stops answering, the inspector and the public port alike.
 * @returns {Promise<RunningWorker>}  `url` (wrangler's proxy, the public port); `inspectorUrl` is a DevTools
 *   WebSocket to the Worker's isolate;
 *   `runtimePid`, `memory()`, `resetPeak()`, `isAlive()` are the runtime's
 */
export async function startWorker({ name, config, persistTo, vars = {}, cwd = ROOT, envFile, processGroup = false, inspectorProxy = true }) {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  fs.mkdirSync(LOGS_DIR, { recursive: true });
  const logFile = path.join(LOGS_DIR, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const args = [
    WRANGLER_BIN, 'dev', '--config', config, '--ip', HOST, '--port', String(port),
    '--inspector-port', String(inspectorPort), '--persist-to', persistTo, '--show-interactive-dev-session=false', '--log-level', 'warn',
    // The bench measures public images: unsigned URLs, whatever .dev.vars says (or without one).
    '--var', 'ALLOW_UNSIGNED:true',
    // It measures the request path. Locally the optimize pass's consumer runs in the measured isolate:
    // its re-encodes would count as the requests' CPU and memory, and while one holds the thread for
    // seconds wrangler's proxy loses the next request (workers-sdk#14641; a GET then never answers).
    '--var', 'OPTIMIZE:false',
    ...Object.entries(vars).flatMap(([variable, value]) => ['--var', `${variable}:${value}`]),
    ...(envFile ? ['--env-file', envFile] : []),
  ];
  // wrangler 4.86 has no option to leave out its inspector proxy, but skips it in a VS Code debug terminal,
  // which it recognizes by this variable alone; the runtime keeps its inspector.
  const env = inspectorProxy ? WRANGLER_ENV : { ...WRANGLER_ENV, VSCODE_INSPECTOR_OPTIONS: '{}' };
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', log, log], detached: processGroup });
  fs.closeSync(log);
  if (processGroup) groups.add(child.pid);
  const url = `http://${HOST}:${port}`;
  const stop = async () => {
    await stopProcess(child);
    if (processGroup && groups.delete(child.pid)) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // whatever of the group outlived wrangler
      } catch {
        // nothing did
      }
    }
  };
  const worker = { name, url, inspectorUrl: `ws://${HOST}:${inspectorPort}/ws`, wranglerPid: child.pid, logFile, stop };
  try {
    await waitUntilReady(url, child, logFile);
    Object.assign(worker, findRuntimeProcess(child.pid, port));
    if (!inspectorProxy) {
      worker.isolates = listIsolates(await findRuntimeInspector(worker.runtimePid));
      worker.inspectorUrl = (await worker.isolates()).find((isolate) => isolate.worker).url;
    }
  } catch (error) {
    await worker.stop();
    throw error;
  }
  worker.memory = () => readMemory(worker.runtimePid);
  worker.resetPeak = () => resetPeak(worker.runtimePid);
  worker.isAlive = () => isAlive(worker.runtimePid);
  return worker;
}

/** SIGTERM lets wrangler shut its workerd processes down; SIGKILL only if it hangs. */
async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const spawned = descendants(child.pid);
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut) child.kill('SIGKILL');
  // workerd normally exits with wrangler; kill a leftover only if its pid still runs the same command line.
  await sleep(200);
  for (const proc of spawned) {
    if (runsSameCommand(proc)) process.kill(proc.pid, 'SIGKILL');
  }
}

function runsSameCommand(proc) {
  return isAlive(proc.pid) && readArgv(proc.pid).join('\0') === proc.argv.join('\0');
}

/** Runs `work(worker)` with a fresh worker process and always stops it. */
export async function withWorker(options, work) {
  const worker = await startWorker(options);
  try {
    return await work(worker);
  } finally {
    await worker.stop();
  }
}
