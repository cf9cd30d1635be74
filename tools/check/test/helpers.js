'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { runCheck } = require('../index');

const ROOT = path.resolve(__dirname, '../../..');

function read(rel) {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

/** Replaces `from` (which must occur) in a project file's text. */
function edit(rel, from, to) {
  const text = read(rel);
  if (!text.includes(from)) throw new Error(`${rel} does not contain ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** Diagnostics of the project with some files replaced in memory. */
function check(overrides) {
  return runCheck(ROOT, { overrides }).diagnostics;
}

function errors(diagnostics, rule) {
  return diagnostics.filter((d) => d.severity === 'error' && (rule === undefined || d.rule === rule));
}

/** A copy of the project's tracked files in a temporary folder, sharing node_modules. */
function copyProject() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

module.exports = { ROOT, read, edit, check, errors, copyProject };
