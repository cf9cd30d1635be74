#!/usr/bin/env node
'use strict';
// npm start: the companion server (server/) arrives with issue 4. Until then this says so and fails,
// rather than pretending to start something.
console.error('pushuikit: the companion IM + push server is not part of the project yet (it arrives in a later issue).');
console.error('The app and its host toolchain are: `npm test` checks and tests them.');
process.exitCode = 1;
