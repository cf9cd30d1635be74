#!/usr/bin/env node
'use strict';
// npm run check [-- PROJECT_DIR]: prints `path:line:col error|warning rule message` lines and a summary;
// exits 1 when there is any error, 2 when the tool itself could not run.
const path = require('path');
const { runCheck, format } = require('./index');

function main() {
  const root = path.resolve(process.argv[2] || path.join(__dirname, '../..'));
  const result = runCheck(root);
  for (const d of result.diagnostics) console.log(format(d));
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  console.log(`check: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} ` +
    `in ${result.fileCount} files of ${result.moduleCount} modules (${(result.ms / 1000).toFixed(1)} s)`);
  process.exitCode = errors > 0 ? 1 : 0;
}

try {
  main();
} catch (e) {
  console.error(`check: could not run: ${e.stack || e.message}`);
  process.exitCode = 2;
}
