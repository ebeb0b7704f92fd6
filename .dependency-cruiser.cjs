// The import rules `npm test` checks (npm run deps): no cycles anywhere, and the runtime's folders
// import in one direction only, lower layers never reaching up. docs/architecture.md explains the layers.
/** Each runtime folder, and the folders it may import from. */
const RUNTIME_LAYERS = {
  manifest: [],
  config: ['manifest'],
  sampling: ['manifest', 'config'],
  export: ['manifest', 'config'],
  helpers: ['manifest', 'config', 'sampling'],
  instrumentation: ['manifest', 'config', 'sampling', 'helpers'],
  conformance: ['manifest'],
  doctor: ['manifest', 'config', 'instrumentation'],
  sdk: ['manifest', 'config', 'sampling', 'export', 'helpers', 'instrumentation', 'conformance', 'doctor'],
  testing: ['manifest', 'helpers', 'sampling', 'sdk'],
};

const layerRules = Object.entries(RUNTIME_LAYERS).map(([folder, allowed]) => ({
  name: `runtime-${folder}-imports-down`,
  comment: `runtime/${folder}/ may import only from ${allowed.length ? allowed.map((f) => `runtime/${f}/`).join(', ') : 'itself'} and packages`,
  severity: 'error',
  from: { path: `^runtime/${folder}/` },
  to: { path: '^runtime/', pathNot: [`^runtime/(${[folder, ...allowed].join('|')})/`, '^runtime/node_modules/'] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: modules that cannot be read, tested or loaded one without the other',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'runtime-entries-on-top',
      comment: 'Nothing inside the runtime imports its public entries (index.ts, generated.ts, testing.ts)',
      severity: 'error',
      from: { path: '^runtime/[^/]+/' },
      to: { path: '^runtime/[^/]+\\.ts$' },
    },
    {
      name: 'runtime-stands-alone',
      comment: 'The runtime is its own package: it never imports the generator, the service or the tests',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^(generator|service|test|bench|generated)/' },
    },
    {
      name: 'generator-uses-runtime-entries',
      comment: 'The CLI package reaches the runtime through its package entries only, as an installed copy would',
      severity: 'error',
      from: { path: '^generator/' },
      to: { path: '^runtime/', pathNot: '^runtime/(index|generated|testing)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
