/** Command line of `npm run bench`: which sections, full or smoke. */
const SECTIONS = ['speed', 'tiers', 'throughput', 'memory', 'mixed', 'matrix', 'animation'];

const USAGE = `usage: npm run bench -- [--smoke] [--only <section>[,<section>…]]
  --smoke   one photo, one size, 20 cache-hit requests; matrix: one input, two renditions (CI)
  --only    run only these sections: ${SECTIONS.join(', ')}`;

/** @returns {{ smoke: boolean, sections: Set<string> }} */
export function parseArgs(argv) {
  const options = { smoke: false, sections: new Set(SECTIONS) };
  const only = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--only') only.push(...(argv[++i] ?? '').split(','));
    else if (arg.startsWith('--only=')) only.push(...arg.slice('--only='.length).split(','));
    else usage(`unknown argument ${arg}`);
  }
  const unknown = only.filter((name) => !SECTIONS.includes(name));
  if (unknown.length) usage(`unknown section ${unknown.join(', ')}`);
  if (only.length) options.sections = new Set(only);
  return options;
}

function usage(problem) {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}
