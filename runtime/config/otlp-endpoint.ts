/**
 * Where spans go over OTLP: the endpoint (signal-specific first), the protocol (from the variable,
 * else the port), the headers (checked, Basic auth from URL credentials, HONEYCOMB_API_KEY) and the
 * timeout. Secrets end up in SecretHeaders only; every printed URL goes through redactUrl.
 */
import { inspect } from 'node:util';
import { envValue, parseHttpUrl, parseKeyValueList } from './env-values';
import { MAX_TIMER_MILLIS, quote, readInteger, Warnings, type EnvWarnings } from './env-warnings';
import { SPEC_DEFAULT_OTLP_ENDPOINT } from './exporters';
import { headerProblem } from './header-rules';
import { redactUrl } from './redact';
import { SecretHeaders } from './secret-headers';

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';

const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

/** Where the endpoint is read from, the signal's own first. */
export const ENDPOINT_VARIABLES: readonly string[] = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;
const HONEYCOMB_ENDPOINT = 'https://api.honeycomb.io';

export interface OtlpConfig {
  readonly protocol: OtlpProtocol;
  /** The URL spans are sent to (for http protocols, including `/v1/traces`). */
  readonly url: string;
  /** Which variable the URL came from, for diagnostics. */
  readonly urlFrom: string;
  /** Masked in every printable form. */
  readonly headers: SecretHeaders;
  readonly timeoutMillis: number;
}

/** `key=value` pairs from a header variable; malformed entries are reported without their text. */
function readHeaderList(env: NodeJS.ProcessEnv, name: string, grpc: boolean, warnings: EnvWarnings): Array<[string, string]> {
  const text = envValue(env, name);
  if (text === undefined) return [];
  const list = parseKeyValueList(text);
  for (const bad of list.invalid) {
    warnings.add(`${name} entry ${bad.position} of ${list.count} is not key=value (value hidden); ignoring it`);
  }
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of list.pairs) {
    const header = key.toLowerCase();
    const problem = headerProblem(header, value, grpc);
    if (problem === undefined) pairs.push([header, value]);
    else warnings.add(`${name} header ${quote(header)} ${problem}; not sending it`);
  }
  return pairs;
}

/** `/v1/traces` appended to the base URL's path; its query (a token, say) stays a query. */
function joinSignalPath(base: URL): string {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}v1/traces`;
  return url.href;
}

/** The OTLP destination from the environment; undefined when no endpoint (nor HONEYCOMB_API_KEY) is set. */
export function resolveOtlp(env: NodeJS.ProcessEnv, warnings: EnvWarnings): OtlpConfig | undefined {
  const honeycombKey = envValue(env, 'HONEYCOMB_API_KEY');
  let urlFrom: string | undefined;
  let url: URL | undefined;
  let isBase = false;
  for (const name of ENDPOINT_VARIABLES) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    const parsed = parseHttpUrl(text);
    if (parsed === undefined || parsed.port === '0') {
      const next = name === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : undefined;
      const nextSet = next !== undefined && envValue(env, next) !== undefined;
      warnings.invalid(
        name,
        redactUrl(text),
        parsed === undefined ? 'is not an http:// or https:// URL' : 'has port 0, which nothing can be reached on',
        nextSet ? next : honeycombKey !== undefined ? HONEYCOMB_ENDPOINT : 'no OTLP export',
      );
      continue;
    }
    urlFrom = name;
    url = parsed;
    isBase = name === 'OTEL_EXPORTER_OTLP_ENDPOINT';
    break;
  }
  if (url === undefined && honeycombKey !== undefined) {
    url = new URL(HONEYCOMB_ENDPOINT);
    urlFrom = 'HONEYCOMB_API_KEY';
    isBase = true;
  }
  if (url === undefined || urlFrom === undefined) return undefined;

  const inferred: OtlpProtocol = url.port === '4317' ? 'grpc' : 'http/protobuf';
  let protocol: OtlpProtocol = inferred;
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    const lower = text.toLowerCase();
    if ((PROTOCOLS as readonly string[]).includes(lower)) {
      protocol = lower as OtlpProtocol;
    } else {
      const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
      warnings.invalid(name, text, `is not ${PROTOCOLS.slice(0, -1).join(', ')} or ${PROTOCOLS.at(-1)}`, `${inferred} (port ${port})`);
    }
    break;
  }

  const grpc = protocol === 'grpc';
  const headers = new Map<string, string>([
    ...readHeaderList(env, 'OTEL_EXPORTER_OTLP_HEADERS', grpc, warnings),
    ...readHeaderList(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', grpc, warnings),
  ]);
  if (honeycombKey !== undefined) {
    const problem = headerProblem('x-honeycomb-team', honeycombKey, grpc);
    if (problem === undefined) headers.set('x-honeycomb-team', honeycombKey);
    else warnings.add(`HONEYCOMB_API_KEY ${problem.replace(/^has a value with/, 'has')}; not sending x-honeycomb-team`);
  }
  // Credentials in the URL become a Basic header, so the URL itself holds no secret.
  if (url.username !== '' || url.password !== '') {
    if (!headers.has('authorization')) {
      const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.set('authorization', `Basic ${Buffer.from(basic).toString('base64')}`);
    }
    url.username = '';
    url.password = '';
  }

  const timeoutName = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined
    ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
    : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const timeoutMillis = readInteger(env, timeoutName, DEFAULT_OTLP_TIMEOUT_MILLIS, 1, warnings, MAX_TIMER_MILLIS);

  const finalUrl = isBase && protocol !== 'grpc' ? joinSignalPath(url) : url.href;
  return maskedInPrint({ protocol, url: finalUrl, urlFrom, headers: new SecretHeaders(headers), timeoutMillis });
}

/** OTLP to the specification's default endpoint, for OTEL_TRACES_EXPORTER=otlp with none given. */
export function specDefaultOtlp(env: NodeJS.ProcessEnv): OtlpConfig | undefined {
  // The other OTLP variables' problems were reported by the first resolveOtlp.
  const otlp = resolveOtlp({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: SPEC_DEFAULT_OTLP_ENDPOINT }, new Warnings());
  return otlp === undefined ? undefined : maskedInPrint({ ...otlp, urlFrom: 'OTEL_TRACES_EXPORTER (default endpoint)' });
}

/**
 * The URL's query values (a token, say) and fragment are masked wherever the config is printed,
 * `JSON.stringify` and `util.inspect` (so `console.log`) alike, as the headers are; `url` itself
 * stays whole for the exporter.
 */
function maskedInPrint(otlp: OtlpConfig): OtlpConfig {
  const printable = (): Record<string, unknown> => ({ ...otlp, url: redactUrl(otlp.url) });
  return Object.defineProperties(otlp, {
    toJSON: { value: printable },
    [inspect.custom]: { value: (_depth: number, options: object) => inspect(printable(), options) },
  });
}
