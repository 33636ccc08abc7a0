/**
 * Turns the measurements into the issues' targets with a verdict each
 * (`summarize` for issue 5, `summarizeMatrix` in matrix-report.mjs for
 * issue 9) and into the report the bench prints (`renderReport`).
 */
import { GROUP_TITLES, megapixels } from './inputs.mjs';
import { renderIssue17, summarizeIssue17 } from './issue17-report.mjs';
import { renderMatrix, summarizeMatrix } from './matrix-report.mjs';
import { geomean, max, min, ratio } from './stats.mjs';
import { fixed, renderTable, times } from './table.mjs';

/** Issue 5's targets, as numbers. */
const TARGETS = {
  progressiveRatio: 1.0,
  baselineRatio: 1.5,
  photoGrowthMB: 96,
  mixedGrowthMB: 128,
  cacheHitRatio: 0.8,
  ssim: 0.97,
};

const verdict = (met) => (met == null ? 'n/a' : met ? 'met' : 'MISS');

/** One input's numbers, drawn from every section that measured it. */
function inputFigures(input, results) {
  const speed = results.speed?.[input.id];
  const tiers = results.tiers?.[input.id];
  const memory = results.memory?.[input.id];
  const naiveOk = speed && !speed.naive.error;
  return {
    status: speed ? speed.edgepix.statuses[0] : memory?.status ?? null,
    detail: speed?.edgepix.detail ?? memory?.detail ?? null,
    coldMs: speed?.edgepix.medianWallMs ?? (input.mustRefuse ? memory?.wallMs : null),
    stages: speed?.edgepix.stages,
    variantMs: tiers?.variant?.medianWallMs,
    hitMs: tiers?.hit?.medianWallMs,
    sharpMs: speed?.sharp.medianWallMs,
    ratio: ratio(speed?.edgepix.medianWallMs, speed?.sharp.medianWallMs),
    cpuRatio: ratio(speed?.edgepix.medianCpuMs, speed?.sharp.medianCpuMs),
    naiveMs: naiveOk ? speed.naive.medianWallMs : null,
    naiveError: speed?.naive.error ?? null,
    naiveRatio: naiveOk ? ratio(speed.naive.medianWallMs, speed.sharp.medianWallMs) : null,
    growthMB: memory?.growthMB,
    memoryStatus: memory?.status,
    ssim: speed?.quality?.ssim,
    sharpSsim: speed?.quality?.sharpSsim,
  };
}

/** Per-input check against the targets that apply to one image. */
function inputVerdict(input, f) {
  const misses = [];
  if (input.mustRefuse) {
    const refused = f.memoryStatus === 413 && Boolean(f.detail);
    return { target: '413 naming the limit', met: f.memoryStatus == null ? null : refused, misses: refused ? [] : [`got ${f.memoryStatus}`] };
  }
  const refusedFormat = input.group === 'format' && f.memoryStatus === 413;
  if (f.growthMB != null && f.growthMB > TARGETS.photoGrowthMB && !refusedFormat) misses.push('RSS');
  if (f.ssim != null && f.ssim < TARGETS.ssim) misses.push('SSIM');
  if (f.status != null && f.status !== 200 && !refusedFormat) misses.push(`status ${f.status}`);
  const known = f.growthMB != null || f.ssim != null;
  const target = input.group === 'format' ? `RSS ≤ ${TARGETS.photoGrowthMB} or 413, SSIM ≥ ${TARGETS.ssim}` : `RSS ≤ ${TARGETS.photoGrowthMB}, SSIM ≥ ${TARGETS.ssim}`;
  return { target, met: known ? misses.length === 0 : null, misses };
}

/** Cold transform ÷ sharp over one input group, geomean of wall (`value`) and CPU time (`cpu`). */
function groupRatio(inputs, results, name) {
  const figures = inputs.filter((input) => input.group === name).map((input) => inputFigures(input, results));
  return { value: geomean(figures.map((f) => f.ratio)), cpu: geomean(figures.map((f) => f.cpuRatio)) };
}

/**
 * The issue's table, measured: `[{ measure, measured, target, verdict }]`.
 * @returns {{ measure: string, measured: string | null, target: string, verdict: string, value: number | null }[]}
 */
export function summarize(inputs, results) {
  const figures = new Map(inputs.map((input) => [input.id, inputFigures(input, results)]));
  const group = (name) => inputs.filter((input) => input.group === name).map((input) => figures.get(input.id));
  const ratioRow = (name, limit) => {
    const { value, cpu } = groupRatio(inputs, results, name);
    return {
      measure: `cold transform ÷ sharp, ${GROUP_TITLES[name]}, geomean`,
      value,
      measured: value == null ? null : `${times(value)} (CPU time ${times(cpu)})`,
      target: `≤ ${limit.toFixed(1)}×`,
      verdict: verdict(value == null ? null : value <= limit),
    };
  };
  const progressiveGrowth = max(group('progressive').map((f) => f.growthMB));
  const huge = group('huge')[0];
  const hugeServed = huge?.memoryStatus == null ? null : huge.memoryStatus === 200 && huge.growthMB <= TARGETS.photoGrowthMB;
  const refusals = inputs.filter((i) => i.mustRefuse).map((i) => ({ input: i, f: figures.get(i.id) }));
  const refusedAll = refusals.some(({ f }) => f.memoryStatus != null) ? refusals.every(({ f }) => f.memoryStatus === 413 && f.detail) : null;
  const mixed = results.mixed;
  // A mix that did not get every answer has not shown there is no ratchet, whatever its RSS.
  const mixedComplete = mixed && !mixed.crashed && !mixed.stoppedEarly && (mixed.failures?.length ?? 0) === 0;
  const throughput = results.throughput;
  const ssimMin = min(inputs.map((i) => figures.get(i.id).ssim));
  return [
    ratioRow('progressive', TARGETS.progressiveRatio),
    ratioRow('baseline', TARGETS.baselineRatio),
    {
      measure: 'workerd peak RSS growth over idle, each progressive photo (max)',
      value: progressiveGrowth,
      measured: progressiveGrowth == null ? null : `+${progressiveGrowth.toFixed(0)} MB`,
      target: `≤ ${TARGETS.photoGrowthMB} MB`,
      verdict: verdict(progressiveGrowth == null ? null : progressiveGrowth <= TARGETS.photoGrowthMB),
    },
    {
      measure: 'baseline JPEG of 100 MP',
      value: huge?.growthMB ?? null,
      measured: huge?.memoryStatus == null ? null : `${huge.memoryStatus}, +${fixed(huge.growthMB)} MB`,
      target: `served, ≤ ${TARGETS.photoGrowthMB} MB`,
      verdict: verdict(hugeServed),
    },
    {
      measure: `refused up front: ${refusals.map(({ input }) => input.id).join(', ') || 'no such input'}`,
      value: null,
      measured: refusedAll == null ? null : refusals.map(({ f }) => f.memoryStatus ?? '?').join(', '),
      target: '413 naming the limit',
      verdict: verdict(refusedAll),
    },
    {
      measure: `RSS after ${mixed?.requests ?? 200} mixed requests, over idle`,
      value: mixed?.afterMB ?? null,
      measured: mixed?.afterMB == null ? null : `+${mixed.afterMB.toFixed(0)} MB${mixedComplete ? '' : ` (${mixed.stoppedEarly ?? 'some requests failed'})`}`,
      target: `≤ ${TARGETS.mixedGrowthMB} MB`,
      verdict: verdict(mixed?.afterMB == null ? null : mixedComplete && mixed.afterMB <= TARGETS.mixedGrowthMB),
    },
    {
      measure: 'cache-hit req/s ÷ trivial Worker (Cache API, same body)',
      value: throughput?.ratio ?? null,
      measured: throughput?.ratio == null ? null : `${times(throughput.ratio)} (CPU per request ${times(throughput.cpuRatio)})`,
      target: `≥ ${TARGETS.cacheHitRatio}×`,
      verdict: verdict(throughput?.ratio == null ? null : throughput.ratio >= TARGETS.cacheHitRatio),
    },
    {
      measure: 'SSIM against sharp Lanczos3, every served input (min)',
      value: ssimMin,
      measured: fixed(ssimMin, 4),
      target: `≥ ${TARGETS.ssim}`,
      verdict: verdict(ssimMin == null ? null : ssimMin >= TARGETS.ssim),
    },
  ];
}

const COLUMNS = [
  { title: 'input', align: 'left' },
  { title: 'MP' },
  { title: 'cold ms' },
  { title: 'dec/rsz/enc' },
  { title: 'R2 var' },
  { title: 'hit' },
  { title: 'sharp' },
  { title: '÷sharp' },
  { title: 'cpu÷sh' },
  { title: 'naive' },
  { title: 'nv÷sh' },
  { title: 'RSS+MB' },
  { title: 'SSIM (sharp)' },
  { title: 'target', align: 'left' },
  { title: 'verdict', align: 'left' },
];

const stagesCell = (stages) =>
  stages ? ['decode', 'resize', 'encode'].map((s) => fixed(stages[s]) ?? '-').join('/') : null;

function inputRow(input, results) {
  const f = inputFigures(input, results);
  const v = inputVerdict(input, f);
  const cold = f.status != null && f.status !== 200 ? `${f.status} ${fixed(f.coldMs) ?? ''}`.trim() : fixed(f.coldMs);
  return {
    cells: [
      input.id,
      fixed(megapixels(input), megapixels(input) < 1 ? 2 : 1),
      cold,
      stagesCell(f.stages),
      fixed(f.variantMs, 1),
      fixed(f.hitMs, 1),
      fixed(f.sharpMs),
      times(f.ratio),
      times(f.cpuRatio),
      f.naiveError ? 'fails' : fixed(f.naiveMs),
      times(f.naiveRatio),
      f.growthMB == null ? null : `+${f.growthMB.toFixed(0)}`,
      f.ssim == null ? null : `${f.ssim.toFixed(3)} (${fixed(f.sharpSsim, 3)})`,
      v.target,
      v.met == null ? 'n/a' : v.met ? 'met' : `MISS ${v.misses.join(', ')}`,
    ],
  };
}

/** Sections reported in issue 5's table; `matrix` has its own. */
export const ISSUE5_SECTIONS = ['speed', 'tiers', 'throughput', 'memory', 'mixed'];

export { summarizeMatrix };

/** The whole printed report: a header line, issue 5's table and notes if any of its sections ran, then the matrix's. */
export function renderReport(inputs, results) {
  const m = results.meta;
  const title =
    `edgepix bench ${m.smoke ? '(smoke) ' : ''}— ${m.startedAt}, commit ${m.commit}, ${m.cpus} CPUs, ` +
    `load average ${m.loadAverage.start.toFixed(1)} → ${m.loadAverage.end.toFixed(1)}, ${m.seconds.toFixed(0)} s`;
  const out = [title];
  if (m.sections.some((name) => ISSUE5_SECTIONS.includes(name))) out.push(...renderIssue5(inputs, results));
  if (results.matrix) out.push('', ...renderMatrix(results.matrix, results.matrixSummary ?? summarizeMatrix(results.matrix)));
  if (results.speed || results.throughput || results.matrix) {
    out.push('', ...renderIssue17(summarizeIssue17(results, (group) => groupRatio(inputs, results, group))));
  }
  const errors = Object.entries(results.errors ?? {});
  if (errors.length) out.push('', ...errors.map(([section, error]) => `note: section ${section} failed: ${error}`));
  return out.join('\n');
}

/** Issue 5's table and notes. */
function renderIssue5(inputs, results) {
  const rows = [];
  for (const group of Object.keys(GROUP_TITLES)) {
    const members = inputs.filter((input) => input.group === group);
    if (members.length === 0) continue;
    rows.push({ span: `${GROUP_TITLES[group]}:`, tail: [] });
    for (const input of members) rows.push(inputRow(input, results));
  }
  rows.push({ rule: true });
  rows.push({ span: "ISSUE 5 TARGETS (measured → target)", tail: [] });
  for (const s of results.summary) rows.push({ span: `${s.measure}: ${s.measured ?? 'not measured'}`, tail: [s.target, s.verdict] });

  const m = results.meta;
  const header = [
    `output ${m.transform.width} px WebP q${m.transform.quality}; medians of ${m.plan.runs} cold runs (100 MP: ${m.plan.hugeRuns}), naive ${m.plan.naiveRuns}; times are wall ms seen by the client`,
    'cold = fresh R2 key (no cached variant); dec/rsz/enc = Server-Timing stages; R2 var / hit = R2 variant and Cache API tiers;',
    'cpu÷sh = CPU-time ratio (workerd runtime threads vs sharp process), steadier than wall time on a loaded machine;',
    'RSS+MB = workerd peak RSS over idle, fresh process per input; SSIM (ssim.js defaults) vs sharp Lanczos3 at the same size (sharp\'s own WebP q80 in brackets)',
    '',
  ];
  const notes = [];
  for (const input of inputs) {
    const f = inputFigures(input, results);
    if (f.detail) notes.push(`${input.id}: ${f.status ?? f.memoryStatus} — ${f.detail}`);
    const memory = results.memory?.[input.id];
    if (input.mustRefuse && memory) notes.push(`${input.id}: answered ${memory.status} in ${fixed(memory.wallMs)} ms; its own peak over the warmed-up worker +${fixed(memory.overWarmMB)} MB`);
    if (f.naiveError) notes.push(`${input.id}: naive pipeline failed — ${f.naiveError}`);
  }
  const mixed = results.mixed;
  if (mixed) {
    notes.push(
      `mixed: ${mixed.requests} requests in ${fixed(mixed.seconds)} s, statuses ${JSON.stringify(mixed.statuses)}, RSS peak +${fixed(mixed.peakMB)} MB` +
        `, after a forced full GC +${fixed(mixed.afterGcMB)} MB, JS heap in use ${fixed(mixed.jsHeapUsedMB)} MB` +
        `${mixed.gcError ? ` (inspector: ${mixed.gcError})` : ''}${mixed.stoppedEarly ? `; stopped early: ${mixed.stoppedEarly}` : ''}`,
    );
    for (const failure of mixed.failures ?? []) notes.push(`mixed request #${failure.n} /img/${failure.options}/<${failure.photo}>: ${failure.error.replace(/^GET \S+: /, '')}`);
  }
  const t = results.throughput;
  if (t?.edgepix) {
    notes.push(
      `throughput: edgepix ${fixed(t.edgepix.requestsPerSecond)} req/s vs trivial ${fixed(t.trivial.requestsPerSecond)} req/s ` +
        `(${t.connections} connections, ${(t.bodyBytes / 1024).toFixed(1)} KB body); runtime CPU per request ` +
        `${fixed(t.edgepix.cpuMsPerRequest, 2)} vs ${fixed(t.trivial.cpuMsPerRequest, 2)} ms (CPU ratio ${times(t.cpuRatio)})`,
    );
    const c = t.controls;
    if (c) {
      notes.push(
        `throughput controls: the trivial Worker behind wrangler dev's asset router ${fixed(c.trivialAssets.requestsPerSecond)} req/s ` +
          `(${fixed(c.trivialAssets.cpuMsPerRequest, 2)} ms CPU), and also logging one line per request ${fixed(c.trivialAssetsLog.requestsPerSecond)} req/s ` +
          `(${fixed(c.trivialAssetsLog.cpuMsPerRequest, 2)} ms CPU): edgepix ÷ that ${times(c.ratioToAssetsLog)}`,
      );
    }
  }
  return [...header, renderTable(COLUMNS, rows), '', ...notes.map((n) => `note: ${n}`)];
}
