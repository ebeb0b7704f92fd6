#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript (npm run build, run by `prepare` on install).
require('../dist/generator/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`spanwright: internal error: ${err && err.message ? err.message : err}\n`); process.exitCode = 70; },
);
