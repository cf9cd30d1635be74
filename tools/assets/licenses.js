#!/usr/bin/env node
'use strict';
// Writes the licences of the third-party packages the app ships (its modules' ohpm "dependencies", not the
// test-only devDependencies) to features/settings/src/main/resources/rawfile/licenses/licenses.json, which
// the About page lists. The licence texts are the standard ones (tools/assets/licenses/*.txt); each
// package's SPDX id, copyright line and home page are in PACKAGES below, from the package's ohpm/npm page.
// tools/assets/test/licenses.test.js fails when a module gains a dependency that is not listed here, or
// when the committed file is not what this script writes.
//   node tools/assets/licenses.js            writes the file
//   node tools/assets/licenses.js --check    exits 1 if the committed file differs
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const OUTPUT = path.join(ROOT, 'features/settings/src/main/resources/rawfile/licenses/licenses.json');

const PACKAGES = [
  {
    name: '@ohos/axios', license: 'MIT', homepage: 'https://ohpm.openharmony.cn/#/cn/detail/@ohos%2Faxios',
    copyright: 'Copyright (c) 2014-present Matt Zabriskie & Collaborators',
  },
  {
    name: '@ohos/lottie', license: 'Apache-2.0', homepage: 'https://ohpm.openharmony.cn/#/cn/detail/@ohos%2Flottie',
    copyright: '',
  },
  {
    name: 'dayjs', license: 'MIT', homepage: 'https://day.js.org',
    copyright: 'Copyright (c) 2018-present, iamkun',
  },
];

function text(license, copyright) {
  const raw = fs.readFileSync(path.join(__dirname, 'licenses', `${license}.txt`), 'utf8');
  return raw.replace('{copyright}', copyright).trim();
}

function build() {
  return JSON.stringify({
    packages: PACKAGES.map((p) => ({ name: p.name, license: p.license, homepage: p.homepage, copyright: p.copyright,
      text: text(p.license, p.copyright) })),
  }, null, 2) + '\n';
}

function main() {
  const content = build();
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, 'utf8') : '';
    if (committed !== content) {
      console.error(`${path.relative(ROOT, OUTPUT)} is out of date: run node tools/assets/licenses.js`);
      process.exit(1);
    }
    return;
  }
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  fs.writeFileSync(OUTPUT, content);
  console.log(`wrote ${path.relative(ROOT, OUTPUT)} (${PACKAGES.length} packages)`);
}

if (require.main === module) main();

module.exports = { PACKAGES, build, OUTPUT };
