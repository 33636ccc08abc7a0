/**
 * The layers of src/, checked by `npm test`. Requests flow
 *   routes → delivery → url dialects → spec → pipeline → codecs
 * and no layer imports one above it. metadata (facts about an original) sits
 * beside delivery, above the pipeline. storage, cache and security are
 * services beside the line, and so is queue (sending background jobs): they
 * import none of it, nor each other. lib/ is
 * neutral ground for keys, hashing, formats and sizes; it imports nothing.
 * The root files (config, env, errors) import only lib/ and spec/.
 */
const LAYERS = ['routes', 'jobs', 'delivery', 'metadata', 'url', 'spec', 'pipeline', 'codecs', 'storage', 'cache', 'security', 'queue', 'lib'];

/** `name` may import only `allowed` (and root files such as config.ts); every other layer is forbidden. */
const layer = (name, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${LAYERS.filter((other) => other !== name && !allowed.includes(other)).join('|')})/` },
});

module.exports = {
  forbidden: [
    layer('lib', [], 'lib/ is shared helpers: it depends on nothing else in src/'),
    layer('spec', ['lib'], 'the spec is plain data and its meaning'),
    layer('codecs', ['spec', 'lib'], 'codecs are the bottom layer'),
    layer('pipeline', ['codecs', 'spec', 'lib'], 'the pipeline sees only the spec, its steps and the codecs'),
    layer('url', ['spec', 'lib'], 'a dialect only parses a URL into a spec'),
    layer('metadata', ['pipeline', 'codecs', 'spec', 'lib'], 'facts about an image, computed from its bytes'),
    layer('delivery', ['metadata', 'pipeline', 'codecs', 'spec', 'storage', 'cache', 'security', 'queue', 'lib'], 'delivery serves a spec for a key; routes call it'),
    layer('jobs', ['delivery', 'url', 'pipeline', 'spec', 'storage', 'cache', 'queue', 'lib'], 'background jobs run what delivery runs, from a queue message or a schedule'),
    layer('queue', ['spec', 'lib'], 'the queue service sends jobs; it knows what they carry, not how they run'),
    layer('storage', ['spec', 'lib'], 'storage keeps bytes; it knows no codec, policy or facts'),
    layer('cache', ['lib'], 'the edge cache is a service beside the line'),
    layer('security', ['spec', 'lib'], 'security decides who may do what, beside the other services'),
    {
      name: 'root-files',
      comment: 'config, env and errors are read by every layer, so they import only neutral ground',
      severity: 'error',
      from: { path: '^src/(config|env|errors)\\.ts$' },
      to: { path: `^src/(${LAYERS.filter((other) => !['lib', 'spec'].includes(other)).join('|')})/` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.wasm$' },
  },
};
