// Preloaded (node --require) into the measured process: on exit, writes its own CPU time
// (user + system, ms) to the file named by SPANWRIGHT_BENCH_CPU_FILE. CPU time barely moves
// when other work shares the machine, unlike wall time.
'use strict';
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.SPANWRIGHT_BENCH_CPU_FILE;
  if (!file) return;
  const { user, system } = process.cpuUsage();
  writeFileSync(file, String(Math.round((user + system) / 1000)));
});
