/**
 * The layers of src/, checked by `npm test`: requests flow
 * routes → delivery → URL dialects → spec → pipeline → codecs, and no layer
 * imports one above it. storage, cache, security and metadata are services
 * beside that line; lib/ and spec/ (plain data) are neutral ground.
 */
const layer = (name, mayNotImport, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^src/${name.split(':')[0]}/` },
  to: { path: `^src/(${mayNotImport.join('|')})/` },
});

module.exports = {
  forbidden: [
    layer('lib', ['[a-z-]+(?<!lib)'], 'lib/ is shared helpers: it depends on nothing else in src/'),
    layer('spec', ['routes', 'delivery', 'url', 'pipeline', 'codecs', 'storage', 'cache', 'security', 'metadata'], 'the spec is plain data'),
    layer('codecs', ['routes', 'delivery', 'url', 'pipeline', 'storage', 'cache', 'security', 'metadata'], 'codecs are the bottom layer'),
    layer('pipeline', ['routes', 'delivery', 'url', 'storage', 'cache', 'metadata'], 'the pipeline sees only the spec, its steps and the codecs'),
    layer('url', ['routes', 'delivery', 'codecs', 'cache'], 'a dialect only parses into a spec (it may use pure geometry)'),
    {
      name: 'url-storage',
      comment: 'of storage, a dialect may only use the key rules',
      severity: 'error',
      from: { path: '^src/url/' },
      to: { path: '^src/storage/', pathNot: '^src/storage/keys\\.ts$' },
    },
    layer('delivery', ['routes'], 'delivery serves a spec for a key; routes call it'),
    layer('cache', ['routes', 'delivery', 'url', 'pipeline', 'codecs'], 'the edge cache is a service beside the line'),
    layer('storage', ['routes', 'delivery', 'url', 'pipeline'], 'storage is a service beside the line'),
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
