/**
 * The user projects of the consumer test: one small Koa + Knex (PostgreSQL) service, laid out in
 * each module set-up a TypeScript user picks. Every sub-project has its own package.json `type`
 * and tsconfig.json and shares the node_modules of the temporary root above it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Setup {
  /** Folder name, and how the test names the set-up. */
  readonly name: string;
  /** package.json `type`. */
  readonly type: 'commonjs' | 'module';
  /** tsconfig.json compilerOptions that make the set-up. */
  readonly compilerOptions: Readonly<Record<string, string>>;
  /** Compiled by tsc into dist/ and run by node, or run from the sources by tsx. */
  readonly run: 'compiled' | 'tsx';
  /** node's arguments, from the sub-project's folder: the preload, then the main script. */
  readonly nodeArgs: readonly string[];
}

export const SETUPS: readonly Setup[] = [
  {
    name: 'cjs-commonjs',
    type: 'commonjs',
    compilerOptions: { module: 'commonjs' },
    run: 'compiled',
    nodeArgs: ['--require', './dist/generated/bootstrap.js', 'dist/src/main.js'],
  },
  {
    name: 'cjs-node16',
    type: 'commonjs',
    compilerOptions: { module: 'node16' },
    run: 'compiled',
    nodeArgs: ['--require', './dist/generated/bootstrap.js', 'dist/src/main.js'],
  },
  {
    name: 'esm-nodenext',
    type: 'module',
    compilerOptions: { module: 'nodenext' },
    run: 'compiled',
    nodeArgs: ['--import', './dist/generated/bootstrap.js', 'dist/src/main.js'],
  },
  {
    name: 'esm-bundler',
    type: 'module',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
    run: 'compiled',
    nodeArgs: ['--import', './dist/generated/bootstrap.js', 'dist/src/main.js'],
  },
  {
    name: 'esm-tsx',
    type: 'module',
    compilerOptions: { module: 'nodenext' },
    run: 'tsx',
    nodeArgs: ['--import', 'tsx', '--import', './generated/bootstrap.ts', 'src/main.ts'],
  },
];

/** The declared span the app calls, with its one event. */
export const MANIFEST = `version: 1
service:
  name: consumer-app
  attributePrefix: shop
environments:
  development: { sampling: 1.0 }
peers:
  stock: { host: 127.0.0.1 }
instrumentation:
  http: true
  koa: true
  knex: true
  fetch: true
spans:
  score_order:
    description: Scores an order from its stock count
    attributes:
      order_id: { type: string, required: true }
      item_count: { type: int }
    events:
      scored:
        attributes:
          score: { type: double, required: true }
`;

/**
 * GET /orders/:id: one knex query, one fetch to the stock peer, one declared span with its
 * event. Prints `listening <port>` once it listens on an ephemeral port.
 */
export const MAIN = `import Router from '@koa/router';
import Koa from 'koa';
import knex from 'knex';
import { spans } from '../generated/spans.js';

const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });
const stockUrl = process.env.STOCK_URL ?? '';

const router = new Router();
router.get('/orders/:id', async (ctx) => {
  const id: string = ctx.params.id ?? '';
  const rows = (await db.raw('select 1 as one')) as { rows: Array<{ one: number }> };
  const stock = (await (await fetch(\`\${stockUrl}/stock/\${id}\`)).json()) as { count: number };
  const score = spans.scoreOrder({ orderId: id, itemCount: stock.count }, (span) => {
    const value = stock.count / (stock.count + rows.rows[0].one);
    span.scored({ score: value });
    return value;
  });
  ctx.body = { id, score };
});

const app = new Koa();
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(\`listening \${typeof address === 'object' && address !== null ? address.port : address}\`);
});
process.on('SIGTERM', () => {
  server.close();
  void db.destroy();
});
`;

/**
 * A service's own test, through the public entries only: the testing entry's in-memory provider
 * records the helper's span, the user API checks it against the manifest. Then an internal
 * module, which the package does not export, must be refused. Prints one JSON line.
 */
export const SELF_TEST = `import { checkConformance } from '@spanwright/runtime';
import { startTestProvider } from '@spanwright/runtime/testing';
import { manifest } from '../generated/manifest.js';
import { spans } from '../generated/spans.js';

const provider = startTestProvider();
spans.scoreOrder({ orderId: '1', itemCount: 2 }, (span) => span.scored({ score: 0.5 }));
const recorded = provider.spans();
const result = checkConformance(recorded, manifest);
await provider.stop();

const internal = '@spanwright/runtime/dist/helpers/state.js';
let refused = 'imported';
try {
  await import(internal);
} catch (error) {
  refused = (error as { code?: string }).code ?? String(error);
}
console.log(JSON.stringify({ spans: recorded.map((s) => s.name), violations: result.violations.length, refused }));
`;

/** An attribute the manifest does not declare: must not compile. */
export const MISUSE = `import { spans } from '../generated/spans.js';

spans.scoreOrder({ orderId: '1', colour: 'red' }, () => undefined);
`;

/** TypeScript's code for an object literal with an unknown property. */
export const MISUSE_ERROR = 'TS2353';

/** The script as a CommonJS module can run it: imports on top, the rest in an async function (no top-level await). */
function wrapAsync(script: string): string {
  const lines = script.split('\n');
  const imports = lines.filter((line) => line.startsWith('import '));
  const body = lines.filter((line) => !line.startsWith('import ') && line !== '');
  return `${imports.join('\n')}\n\nvoid (async () => {\n${body.map((line) => `  ${line}`).join('\n')}\n})();\n`;
}

/** Writes one set-up's sub-project: package.json, tsconfig.json, tracing.yaml, src/. */
export function writeProject(dir: string, setup: Setup): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'misuse'), { recursive: true });
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(join(dir, 'package.json'), json({ name: `consumer-${setup.name}`, private: true, type: setup.type }));
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022'],
    ...setup.compilerOptions,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: '.',
    outDir: 'dist',
    ...(setup.run === 'tsx' ? { noEmit: true } : {}),
  };
  writeFileSync(join(dir, 'tsconfig.json'), json({ compilerOptions, include: ['src', 'generated'] }));
  writeFileSync(join(dir, 'tsconfig.misuse.json'), json({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: ['misuse', 'generated'] }));
  writeFileSync(join(dir, 'tracing.yaml'), MANIFEST);
  writeFileSync(join(dir, 'src', 'main.ts'), MAIN);
  writeFileSync(join(dir, 'src', 'self-test.ts'), setup.type === 'module' ? SELF_TEST : wrapAsync(SELF_TEST));
  writeFileSync(join(dir, 'misuse', 'misuse.ts'), MISUSE);
}
