/**
 * `npm run collector`: the test collector on 4317 (gRPC) and 4318 (OTLP/HTTP), printing what it
 * receives as trace trees. Options: --grpc-port, --http-port, --host, --settle-ms.
 */
import { parseArgs } from 'node:util';
import { startCollector } from './index';
import type { Collector } from './index';
import { TracePrinter } from '../../../generator/receiver';

const USAGE = `usage: npm run collector -- [--grpc-port 4317] [--http-port 4318] [--host 127.0.0.1] [--settle-ms 500]

Receives OTLP traces over gRPC and HTTP (protobuf, gzip, JSON) and prints each trace as a tree
once no span of it has arrived for --settle-ms. Ctrl-C stops it.`;

interface Options {
  grpcPort: number;
  httpPort: number;
  host: string;
  settleMs: number;
}

/** Reads the command line; returns a message instead when it is not usable. */
export function parseOptions(argv: string[]): Options | { help: true } | { error: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'grpc-port': { type: 'string', default: '4317' },
        'http-port': { type: 'string', default: '4318' },
        host: { type: 'string', default: '127.0.0.1' },
        'settle-ms': { type: 'string', default: '500' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (values.help) return { help: true };
  const number = (name: string, max: number): number | string => {
    const text = String(values[name]);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    return Number.isInteger(value) && value <= max ? value : `--${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(text)}`;
  };
  const grpcPort = number('grpc-port', 65535);
  const httpPort = number('http-port', 65535);
  const settleMs = number('settle-ms', 600_000);
  for (const value of [grpcPort, httpPort, settleMs]) if (typeof value === 'string') return { error: value };
  return { grpcPort: grpcPort as number, httpPort: httpPort as number, host: String(values.host), settleMs: settleMs as number };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if ('help' in options) {
    console.log(USAGE);
    return 0;
  }
  if ('error' in options) {
    console.error(`collector: ${options.error}\n\n${USAGE}`);
    return 2;
  }
  let collector: Collector;
  try {
    collector = await startCollector(options);
  } catch (err) {
    const error = err as NodeJS.ErrnoException & { port?: number };
    if (error.code === 'EADDRINUSE') {
      console.error(`collector: port ${error.port} on ${options.host} is in use (another collector?); choose others with --grpc-port / --http-port`);
    } else {
      console.error(`collector: cannot listen on ${options.host}: ${error.message}`);
    }
    return 1;
  }
  const printer = new TracePrinter((text) => console.log(`${text}\n`), options.settleMs);
  collector.on('spans', (spans) => printer.add(spans));
  collector.on('request', (request) => {
    if (request.outcome === 'invalid') console.error(`rejected ${request.protocol} export #${request.id}: ${request.error}`);
  });
  console.log(
    `OTLP test collector: gRPC ${options.host}:${collector.grpcPort}, HTTP ${collector.tracesUrl} (protobuf, gzip, JSON). Ctrl-C stops.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  printer.flush();
  const stats = collector.stats();
  await collector.close();
  console.log(
    `collector: stopped; ${stats.spans} span(s) in ${stats.traces} trace(s) from ${stats.requests} export(s)` +
      ` (${stats.refused} refused, ${stats.dropped} dropped, ${stats.invalid} invalid, ${stats.duplicateSpans} duplicate span(s))`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`collector: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
