'use strict';
// Benchmark of the Chats tab's update path (ConversationStore -> ConversationListViewModel ->
// KeyedDataSource) on the host: prints what one incoming message costs with 1,000 and 10,000
// conversations. Node is not the device's runtime: read the figures as relative, not as frame times.
const fs = require('fs');
const os = require('os');
const path = require('path');
const esbuild = require('esbuild');
const { resolverPlugin, ROOT } = require('../test/bundle');

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-bench-'));
  const out = path.join(dir, 'list-bench.cjs');
  try {
    await esbuild.build({
      stdin: {
        contents: [`import './tools/sim/quiet.js';`, `import './tools/sim/globals.js';`,
          `import { run } from './features/chat/src/test/ListBench.ets';`,
          'for (const size of [1000, 10000]) console.log(run(size, 500, () => performance.now()));'].join('\n'),
        resolveDir: ROOT, sourcefile: 'list-bench-entry.js', loader: 'js',
      },
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'silent',
      loader: { '.ets': 'ts' }, resolveExtensions: ['.ets', '.ts', '.js', '.mjs', '.json'],
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
      plugins: [resolverPlugin],
    });
    require(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
