/**
 * Entry point of a child started by `startChild` (child.mjs):
 *   node child-entry.mjs <module in bench/lib>
 * Answers `{ id, name, args }` messages with `{ id, result }` or `{ id, error }`.
 */
const moduleName = process.argv[2];
const module = await import(new URL(moduleName, import.meta.url).href);

process.on('message', async ({ id, name, args }) => {
  try {
    process.send({ id, result: await module[name](...args) });
  } catch (error) {
    process.send({ id, error: String(error?.message ?? error) });
  }
});
