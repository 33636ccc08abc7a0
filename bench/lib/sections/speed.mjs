/**
 * Cold transforms: edgepix, sharp and the naive pipeline on the same input,
 * run after one another inside each repetition so that all three see the
 * same machine load (this machine is shared; its load moves within seconds).
 * Each edgepix run uses its own R2 key: no cached variant can answer it.
 * Then scores edgepix's output by SSIM against sharp's Lanczos3.
 */
import fs from 'node:fs';
import path from 'node:path';
import { originalKey, transformRequest } from '../edgepix.mjs';
import { OUTPUTS_DIR } from '../paths.mjs';
import { median, medianByKey } from '../stats.mjs';
import { edgepixOptions } from '../transform-spec.mjs';

/** Uploads the section needs: one original per cold run. */
export const speedUploads = (inputs, plan) =>
  servedInputs(inputs).flatMap((input) =>
    Array.from({ length: runsFor(input, plan) }, (_, n) => ({ key: originalKey('cold', input, n), file: input.file })),
  );

const servedInputs = (inputs) => inputs.filter((input) => !input.mustRefuse);
const runsFor = (input, plan) => (input.group === 'huge' ? plan.hugeRuns : plan.runs);
/** The naive pipeline needs seconds and ~1.5 GB for 100 MP: one run says enough there. */
const naiveRunsFor = (input, plan) => Math.min(runsFor(input, plan), input.group === 'huge' ? 1 : plan.naiveRuns);

const summarize = (samples) => ({
  medianWallMs: median(samples.map((s) => s.wallMs)),
  medianCpuMs: median(samples.map((s) => s.cpuMs)),
  wallMs: samples.map((s) => s.wallMs),
  cpuMs: samples.map((s) => s.cpuMs),
});

/**
 * @param {{ worker, inputs, sharp, naive, plan: { runs: number, hugeRuns: number, naiveRuns: number },
 *           transform, log: (line: string) => void }} context
 */
export async function measureSpeed({ worker, inputs, sharp, naive, plan, transform, log }) {
  fs.mkdirSync(OUTPUTS_DIR, { recursive: true });
  const results = {};
  for (const input of servedInputs(inputs)) {
    const edgepix = [];
    const native = [];
    const naiveRuns = [];
    let naiveError = null;
    const outputFile = path.join(OUTPUTS_DIR, `${input.id}.webp`);
    fs.rmSync(outputFile, { force: true });
    for (let n = 0; n < runsFor(input, plan); n++) {
      const response = await transformRequest(worker, originalKey('cold', input, n), edgepixOptions(transform));
      edgepix.push(response);
      if (n === 0 && response.status === 200) fs.writeFileSync(outputFile, response.body);
      native.push(await sharp.time(input, transform));
      if (n < naiveRunsFor(input, plan) && !naiveError) {
        try {
          naiveRuns.push(await naive.time(input, transform));
        } catch (error) {
          naiveError = error.message; // e.g. the naive PNG decoder rejects some files
        }
      }
    }
    const quality = fs.existsSync(outputFile) ? await sharp.score(input, outputFile, transform) : null;
    results[input.id] = {
      edgepix: {
        ...summarize(edgepix),
        statuses: edgepix.map((r) => r.status),
        tiers: edgepix.map((r) => r.tier),
        detail: edgepix.find((r) => r.detail)?.detail ?? null,
        stages: medianByKey(edgepix.map((r) => r.stages)),
        outputBytes: edgepix[0].body.length,
      },
      sharp: summarize(native),
      naive: naiveError ? { error: naiveError } : { ...summarize(naiveRuns), stages: medianByKey(naiveRuns.map((r) => r.stages)) },
      quality,
    };
    const r = results[input.id];
    log(
      `  ${input.id}: edgepix ${fmt(r.edgepix.medianWallMs)} ms (cpu ${fmt(r.edgepix.medianCpuMs)}), ` +
        `sharp ${fmt(r.sharp.medianWallMs)} ms, naive ${r.naive.error ?? `${fmt(r.naive.medianWallMs)} ms`}, ` +
        `SSIM ${quality?.ssim?.toFixed(4) ?? '—'} [${r.edgepix.statuses.join(',')}]`,
    );
  }
  return results;
}

const fmt = (ms) => (ms == null ? '—' : ms.toFixed(0));
