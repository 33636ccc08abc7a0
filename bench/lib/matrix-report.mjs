/**
 * Issue 9's targets for the matrix section, with a verdict each
 * (`summarizeMatrix`), and its printed part: a row per input format, the
 * targets, then every request that was not served (`renderMatrix`).
 */
import { MATRIX_KINDS } from './matrix-inputs.mjs';
import { toMB } from './procfs.mjs';
import { geomean, max } from './stats.mjs';
import { fixed, renderTable, times } from './table.mjs';

/** Issue 9's targets, as numbers (MB = MiB). */
const MATRIX_TARGETS = {
  servedShare: 1,
  memPeakMB: 112,
  memIdleMB: 32,
  vmHwmGrowthMB: 160,
  sharpRatio: 1.5,
  burstServedShare: 1,
};

const verdict = (met) => (met == null ? 'n/a' : met ? 'met' : 'MISS');
const served = (r) => r.status === 200;
const correct = (r) => served(r) && r.dimensionsOk && r.formatOk;
const percent = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(0)} %` : null);

/** Per input format: `{ kind, title, total, served, wrong, fallbacks, ratio, cpuRatio, peakMB, idleMB }`. */
function kindFigures(matrix) {
  return Object.entries(MATRIX_KINDS)
    .map(([kind, title]) => {
      const files = matrix.inputs.filter((input) => input.kind === kind).length;
      const requests = matrix.requests.filter((r) => r.kind === kind);
      const ok = requests.filter(served);
      return {
        kind,
        title,
        total: files * matrix.renditions.length,
        served: ok.length,
        wrong: ok.filter((r) => !r.dimensionsOk).length,
        fallbacks: ok.filter((r) => r.fallback).length,
        ratio: geomean(ok.map((r) => r.ratio)),
        cpuRatio: geomean(ok.map((r) => r.cpuRatio)),
        peakMB: toMB(max(requests.map((r) => r.memPeakBytes))),
        idleMB: toMB(max(requests.map((r) => r.memIdleBytes))),
      };
    })
    .filter((f) => f.total > 0);
}

/**
 * The issue's targets, measured: `[{ measure, measured, target, verdict, value }]`.
 * A requested-but-not-sent request (deadline, wedged worker) counts as not served.
 */
export function summarizeMatrix(matrix) {
  const { requests } = matrix;
  const good = requests.filter(correct).length;
  const peak = toMB(max(requests.map((r) => r.memPeakBytes)));
  const idle = toMB(max(requests.map((r) => r.memIdleBytes)));
  const metered = requests.filter((r) => r.memPeakBytes != null).length;
  const unmetered = (entry) => (metered === 0 && requests.length > 0 ? `no ${entry} entry in Server-Timing` : null);
  const ratioAll = geomean(requests.filter(served).map((r) => r.ratio));
  const cpuAll = geomean(requests.filter(served).map((r) => r.cpuRatio));
  const b = matrix.burst;
  const burstMet = b?.count ? b.served / b.count >= MATRIX_TARGETS.burstServedShare : null;
  const servedCount = requests.filter(served).length;
  return [
    {
      measure: `served with the right size and format, of ${matrix.planned} requests`,
      value: matrix.planned ? good / matrix.planned : null,
      measured: `${good}/${matrix.planned} (${percent(good, matrix.planned)}; ${servedCount} served in all, ${percent(servedCount, matrix.planned)})`,
      target: '100 %',
      verdict: verdict(matrix.planned ? good / matrix.planned >= MATRIX_TARGETS.servedShare : null),
    },
    {
      measure: `mem-peak (charged memory during a request), max over ${metered} metered requests`,
      value: peak,
      measured: peak == null ? unmetered('mem-peak') : `${peak.toFixed(0)} MB`,
      target: `≤ ${MATRIX_TARGETS.memPeakMB} MB`,
      verdict: verdict(peak == null ? null : peak <= MATRIX_TARGETS.memPeakMB),
    },
    {
      measure: 'mem-idle (charged memory between requests), max',
      value: idle,
      measured: idle == null ? unmetered('mem-idle') : `${idle.toFixed(0)} MB`,
      target: `≤ ${MATRIX_TARGETS.memIdleMB} MB`,
      verdict: verdict(idle == null ? null : idle <= MATRIX_TARGETS.memIdleMB),
    },
    {
      measure: 'workerd VmHWM growth over idle, whole matrix in one process',
      value: matrix.vmHwmGrowthMB,
      measured: matrix.vmHwmGrowthMB == null ? null : `+${matrix.vmHwmGrowthMB.toFixed(0)} MB`,
      target: `≤ ${MATRIX_TARGETS.vmHwmGrowthMB} MB`,
      verdict: verdict(matrix.vmHwmGrowthMB == null ? null : matrix.vmHwmGrowthMB <= MATRIX_TARGETS.vmHwmGrowthMB),
    },
    {
      measure: `cold transform ÷ sharp, geomean over the ${servedCount} served`,
      value: ratioAll,
      measured: ratioAll == null ? null : `${times(ratioAll)} (CPU time ${times(cpuAll)})`,
      target: `≤ ${MATRIX_TARGETS.sharpRatio.toFixed(1)}×`,
      verdict: verdict(ratioAll == null ? null : ratioAll <= MATRIX_TARGETS.sharpRatio),
    },
    {
      measure: `${b?.count ?? '?'} cold ${b?.options ?? 'thumbnails'} at once, served`,
      value: b?.count ? b.served : null,
      measured: b?.count ? `${b.served}/${b.count} ${JSON.stringify(b.statuses)}` : b?.skipped ?? null,
      target: `${b?.count ?? 50} of ${b?.count ?? 50}`,
      verdict: verdict(burstMet),
    },
  ];
}

const COLUMNS = [
  { title: 'input format', align: 'left' },
  { title: 'served' },
  { title: 'wrong dims' },
  { title: 'fallback' },
  { title: '÷sharp' },
  { title: 'cpu÷sh' },
  { title: 'peak MB' },
  { title: 'idle MB' },
  { title: 'target', align: 'left' },
  { title: 'verdict', align: 'left' },
];

/** One input format's own check: all served at the right size, every peak within the target. */
function kindVerdict(f) {
  const misses = [];
  if (f.served < f.total) misses.push('served');
  if (f.wrong) misses.push('dims');
  if (f.peakMB != null && f.peakMB > MATRIX_TARGETS.memPeakMB) misses.push('peak');
  return misses.length ? `MISS ${misses.join(', ')}` : 'met';
}
const KIND_TARGET = `all, ≤ ${MATRIX_TARGETS.memPeakMB} MB`;

/**
 * How much of the process's growth each rendition's requests added (they run rendition by rendition):
 * VmHWM, RSS and run-time compiled code, each from the last request before the rendition to its last.
 */
function growthByRendition(matrix) {
  const lines = [];
  let before = { rssMB: 0, vmHwmMB: 0, jitCodeMB: 0 };
  for (const options of matrix.renditions) {
    const last = matrix.requests.filter((r) => r.options === options && r.process).at(-1)?.process;
    if (!last) continue;
    const delta = (field) => `${last[field] - before[field] >= 0 ? '+' : ''}${fixed(last[field] - before[field])}`;
    lines.push(`process growth over ${options}: VmHWM ${delta('vmHwmMB')} MB, RSS ${delta('rssMB')} MB, of it compiled code ${delta('jitCodeMB')} MB`);
    before = last;
  }
  return lines;
}

/** The matrix's printed part (lines). */
export function renderMatrix(matrix, summary) {
  const figures = kindFigures(matrix);
  const rows = figures.map((f) => ({
    cells: [f.title, `${f.served}/${f.total}`, f.served ? f.wrong : null, f.served ? f.fallbacks : null, times(f.ratio), times(f.cpuRatio),
      fixed(f.peakMB), fixed(f.idleMB), KIND_TARGET, kindVerdict(f)],
  }));
  const all = {
    total: figures.reduce((sum, f) => sum + f.total, 0),
    served: figures.reduce((sum, f) => sum + f.served, 0),
    wrong: figures.reduce((sum, f) => sum + f.wrong, 0),
    fallbacks: figures.reduce((sum, f) => sum + f.fallbacks, 0),
  };
  const ok = matrix.requests.filter(served);
  rows.push({ rule: true });
  rows.push({
    cells: ['all', `${all.served}/${all.total}`, all.served ? all.wrong : null, all.served ? all.fallbacks : null,
      times(geomean(ok.map((r) => r.ratio))), times(geomean(ok.map((r) => r.cpuRatio))),
      fixed(toMB(max(matrix.requests.map((r) => r.memPeakBytes)))), fixed(toMB(max(matrix.requests.map((r) => r.memIdleBytes))))],
  });
  rows.push({ rule: true });
  rows.push({ span: 'ISSUE 9 TARGETS (measured → target)', tail: [] });
  for (const s of summary) rows.push({ span: `${s.measure}: ${s.measured ?? 'not measured'}`, tail: [s.target, s.verdict] });

  const q = matrix.qualities;
  const lines = [
    `MATRIX (issue 9): ${matrix.inputs.length} inputs × ${matrix.renditions.length} renditions, one cold transform each, one at a time, in one worker (BENCH_MEMORY_METER=true);`,
    `renditions: ${matrix.renditions.join(' | ')}`,
    `served = 200 of all requested; wrong dims = served with another size than edgepix's geometry gives; fallback = served with X-Edgepix-Fallback;`,
    `÷sharp, cpu÷sh = geomean over served of wall (CPU) time ÷ the same operation in single-threaded sharp (webp q${q.webp} effort 4, jpeg q${q.jpeg} progressive libjpeg-turbo settings, avif q${q.avif} effort 1 4:2:0);`,
    'peak / idle MB = max of Server-Timing mem-peak / mem-idle (MiB; — when the worker sends none)',
    '',
    renderTable(COLUMNS, rows),
    '',
  ];
  const notes = [];
  if (matrix.stoppedEarly) notes.push(`matrix stopped early: ${matrix.stoppedEarly}`);
  if (matrix.uncommittedSources?.length) {
    notes.push(`the worker ran from a copy of the working tree, with ${matrix.uncommittedSources.length} uncommitted file(s): ${matrix.uncommittedSources.slice(0, 8).join(', ')}${matrix.uncommittedSources.length > 8 ? ', …' : ''}`);
  }
  notes.push(
    `matrix: ${matrix.requests.length}/${matrix.planned} requests sent in ${fixed(matrix.seconds)} s (uploads ${fixed(matrix.uploadSeconds)} s); ` +
      `workerd idle ${fixed(matrix.idleMB)} MB, VmHWM +${fixed(matrix.vmHwmGrowthMB)} MB, RSS after +${fixed(matrix.afterMB)} MB`,
  );
  for (const line of growthByRendition(matrix)) notes.push(line);
  const b = matrix.burst;
  if (b?.count) {
    notes.push(
      `burst: ${b.served}/${b.count} served in ${fixed(b.seconds, 1)} s, slowest ${fixed(b.maxWallMs)} ms, max mem-peak ${fixed(b.maxMemPeakMB) ?? '—'} MB, ` +
        `VmHWM +${fixed(b.vmHwmOverRssBeforeMB)} MB over the RSS before it${b.crashed ? '; the runtime died' : ''}`,
    );
    for (const [detail, count] of Object.entries(b.details)) notes.push(`burst: ${count}× ${detail}`);
  } else if (b?.skipped) notes.push(`burst skipped: ${b.skipped}`);
  for (const r of ok.filter((r) => !r.dimensionsOk)) notes.push(`wrong size: ${r.input} ${r.options} → ${r.output.width ?? '?'}×${r.output.height ?? '?'}, expected ${r.expected.width}×${r.expected.height}${r.output.error ? ` (${r.output.error})` : ''}`);
  for (const r of ok.filter((r) => r.dimensionsOk && !r.formatOk)) notes.push(`wrong format: ${r.input} ${r.options} → ${r.output.format} without X-Edgepix-Fallback`);
  for (const r of ok.filter((r) => r.sharp?.error)) notes.push(`sharp failed on ${r.input} ${r.options}: ${r.sharp.error}`);
  const refused = matrix.requests.filter((r) => !served(r));
  if (refused.length) {
    notes.push(`not served (${refused.length}):`);
    for (const r of refused) notes.push(`  ${r.input} ${r.options}: ${r.status ?? 'no answer'} — ${r.detail ?? ''}`);
  }
  return [...lines, ...notes.map((n) => (n.startsWith('  ') ? n : `note: ${n}`))];
}
