/**
 * Process memory and process trees from /proc (Linux only). RSS is what the
 * kernel charges the process, WASM memories and V8 heaps included; VmHWM is
 * its peak, which `resetPeak` brings back down to the current RSS so one
 * process can report the peak of one scenario.
 */
import fs from 'node:fs';

const KIB = 1024;

/** `{ rssBytes, peakBytes }` of a live process, from /proc/<pid>/status. */
export function readMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm'));
    if (!match) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * KIB;
  };
  return { rssBytes: field('VmRSS'), peakBytes: field('VmHWM') };
}

/** Resets VmHWM to the current VmRSS (writing 5 to clear_refs, see proc(5)). */
export function resetPeak(pid) {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function readStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces; fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return { pid, comm, ppid };
  } catch {
    return null; // the process ended while we were listing
  }
}

export function readArgv(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Every live descendant of `rootPid`, as `{ pid, comm, ppid, argv }`. */
export function descendants(rootPid) {
  const all = fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter(Boolean);
  const found = [];
  const parents = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const proc of all) {
      if (parents.has(proc.ppid) && !parents.has(proc.pid)) {
        parents.add(proc.pid);
        found.push({ ...proc, argv: readArgv(proc.pid) });
        grew = true;
      }
    }
  }
  return found;
}

/** TCP_LISTEN in the `st` column of /proc/net/tcp. */
const TCP_LISTEN = '0A';

/**
 * The IPv4 ports a process listens on: its sockets' inodes (the `socket:[inode]` links in
 * /proc/<pid>/fd) matched against the LISTEN rows of /proc/net/tcp. Sorted, no duplicates.
 */
export function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = fs.readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (match) inodes.add(match[1]);
    } catch {
      // the descriptor was closed while we were listing
    }
  }
  const ports = new Set();
  for (const row of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    const fields = row.trim().split(/\s+/);
    if (fields[3] === TCP_LISTEN && inodes.has(fields[9])) ports.add(Number.parseInt(fields[1].split(':')[1], 16));
  }
  return [...ports].sort((a, b) => a - b);
}

export function isAlive(pid) {
  return fs.existsSync(`/proc/${pid}`);
}

/**
 * Resident bytes of a process's anonymous executable mappings (/proc/<pid>/smaps): the code V8
 * compiles at run time (WASM and JS), which no WASM memory, JS heap or malloc arena accounts for.
 */
export function jitCodeBytes(pid) {
  let kib = 0;
  for (const mapping of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const [range, perms, , , inode, name] = mapping.slice(0, mapping.indexOf('\n')).split(/\s+/);
    if (range && perms?.[2] === 'x' && inode === '0' && !name) kib += Number(mapping.match(/^Rss:\s+(\d+) kB$/m)?.[1] ?? 0);
  }
  return kib * KIB;
}

export const toMB = (bytes) => (bytes == null ? null : bytes / (1024 * 1024));

/**
 * CPU time used so far by every thread of a process, in milliseconds, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU). Unlike wall time it
 * barely moves when other processes compete for the cores.
 */
export function cpuTimeMs(pid) {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while we were reading
    }
  }
  return ns / 1e6;
}
