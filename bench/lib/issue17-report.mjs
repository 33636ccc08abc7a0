/**
 * Issue 17's targets ("cache hits as cheap as a trivial Worker, cold
 * transforms faster than sharp"), each drawn from a section that also serves
 * issues 5 and 9: throughput, speed and matrix. `summarizeIssue17` gives the
 * rows with a verdict each, `renderIssue17` the printed block.
 */
import { geomean } from './stats.mjs';
import { renderTable, times } from './table.mjs';

/** Issue 17's targets, as numbers. */
const TARGETS = {
  cacheHitRatio: 0.8,
  baselineRatio: 1.2,
  progressiveRatio: 0.8,
  matrixRatio: 1.0,
  avifRatio: 3,
};

const verdict = (met) => (met == null ? 'n/a' : met ? 'met' : 'MISS');
const served = (r) => r.status === 200 && r.sharp;
const isAvifOutput = (r) => /format=avif/.test(r.options) && !/avif>/.test(r.fallback ?? '');

/** A geomean row over matrix requests, wall with CPU beside it. */
function matrixRow(measure, requests, limit) {
  const value = geomean(requests.map((r) => r.ratio));
  return {
    measure: `${measure} (${requests.length} served)`,
    measured: value == null ? null : `${times(value)} (CPU time ${times(geomean(requests.map((r) => r.cpuRatio)))})`,
    target: `≤ ${limit.toFixed(1)}×`,
    verdict: verdict(value == null ? null : value <= limit),
  };
}

/**
 * @param {{ throughput?, matrix? }} results
 * @param {(group: string) => { value: number | null, cpu: number | null }} coldRatio  issue 5's per-group geomean (report.mjs)
 */
export function summarizeIssue17(results, coldRatio) {
  const t = results.throughput;
  const cold = (group, limit) => {
    const { value, cpu } = coldRatio(group);
    return {
      measure: `cold 400 px WebP ÷ sharp, ${group === 'baseline' ? 'baseline JPEG re-encodes' : 'progressive photos'}, geomean`,
      measured: value == null ? null : `${times(value)} (CPU time ${times(cpu)})`,
      target: `≤ ${limit.toFixed(1)}×`,
      verdict: verdict(value == null ? null : value <= limit),
    };
  };
  const requests = (results.matrix?.requests ?? []).filter(served);
  const avifInput = (r) => r.kind === 'avif420' || r.kind === 'avif444';
  return [
    {
      measure: 'cache-hit req/s ÷ trivial Worker (throughput section)',
      measured: t?.ratio == null ? null
        : `${times(t.ratio)} (CPU ${times(t.cpuRatio)}${t.controls ? `; ÷ the asset-router + log-line control ${times(t.controls.ratioToAssetsLog)}` : ''})`,
      target: `≥ ${TARGETS.cacheHitRatio}×`,
      verdict: verdict(t?.ratio == null ? null : t.ratio >= TARGETS.cacheHitRatio),
    },
    cold('baseline', TARGETS.baselineRatio),
    cold('progressive', TARGETS.progressiveRatio),
    matrixRow('coverage matrix ÷ sharp, geomean, sharp at edgepix\'s settings', results.matrix ? requests : [], TARGETS.matrixRatio),
    matrixRow('AVIF encode ÷ sharp, the matrix\'s AVIF outputs', requests.filter(isAvifOutput), TARGETS.avifRatio),
    matrixRow('AVIF decode ÷ sharp, the matrix\'s other renditions of AVIF inputs', requests.filter((r) => avifInput(r) && !isAvifOutput(r)), TARGETS.avifRatio),
  ];
}

const COLUMNS = [{ title: 'ISSUE 17 TARGETS (measured → target)', align: 'left' }, { title: 'target', align: 'left' }, { title: 'verdict', align: 'left' }];

/** The printed block (lines). */
export function renderIssue17(summary) {
  return [renderTable(COLUMNS, summary.map((s) => ({ cells: [`${s.measure}: ${s.measured ?? 'not measured'}`, s.target, s.verdict] })))];
}
