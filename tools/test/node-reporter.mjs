// A node:test reporter that prints one JSON line per finished test (not per suite), for tools/test/run.js.
// The prefix keeps other output of the tests (a logger writing JSON lines, say) from being read as results.
export const PREFIX = '@@node-test ';
export default async function* reporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (d.details && d.details.type === 'suite') continue;
    const err = d.details && d.details.error;
    const cause = err && (err.cause || err);
    yield `${PREFIX}${JSON.stringify({
      type: event.type === 'test:pass' ? (d.skip || d.todo ? 'skip' : 'pass') : 'fail',
      name: d.name,
      file: d.file,
      message: cause ? String(cause.message || cause).slice(0, 2000) : '',
    })}\n`;
  }
}
