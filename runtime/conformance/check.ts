/**
 * Conformance: does what ran match what `tracing.yaml` declares?
 *
 * `checkConformance(spans, manifest)` takes finished spans (from an
 * `InMemorySpanExporter` in tests, or one at a time from
 * `ConformanceSpanProcessor` in development) and reports, for every span whose
 * name is declared in the manifest: undeclared attribute keys, missing
 * required attributes, wrong types, values outside an enum, a different span
 * kind, undeclared events and the same problems on event attributes. Spans
 * whose names are not declared (auto-instrumentation: HTTP, Koa, Knex, …) are
 * never judged. It also reports coverage: which declared spans, attributes and
 * events were seen.
 *
 * The span shape it reads is in checkable.ts, the readable report and `assertConformance` in
 * report.ts, the development processor in processor.ts.
 *
 * ```ts
 * import { assertConformance } from '@spanwright/runtime';
 * import { manifest } from '../../generated/manifest';
 *
 * // after the requests of an end-to-end test, with spans from an InMemorySpanExporter
 * assertConformance(exporter.getFinishedSpans(), manifest, { requireFullCoverage: true });
 * ```
 */
import { SpanKind, type AttributeValue, type Attributes } from '@opentelemetry/api';
import type { AttributeModel, AttributeType, EventModel, ManifestModel, SpanKindName, SpanModel } from '../manifest/model';
import { KIND_BY_NAME, type CheckableSpan } from './checkable';

/** What a violation is about; stable, for filtering and tests. */
export type ViolationRule =
  | 'undeclared-attribute'
  | 'missing-attribute'
  | 'wrong-type'
  | 'enum-value'
  | 'wrong-kind'
  | 'undeclared-event'
  | 'unexpected-parent';

/** One distinct problem; identical problems on several spans are counted, not repeated. */
export interface Violation {
  readonly rule: ViolationRule;
  /** The declared span name. */
  readonly span: string;
  /** The event name, for problems with an event or its attributes. */
  readonly event?: string;
  /** The OpenTelemetry attribute key, for attribute problems. */
  readonly key?: string;
  /** One line, naming the span, event and key: `calculate_prediction: attribute "app.foo" is not declared`. */
  readonly message: string;
  /** On how many spans (or events) it was found. */
  readonly count: number;
}

/** Coverage of one declared span, event or attribute: `count` is how many times it was seen. */
export interface SpanCoverage {
  readonly name: string;
  readonly seen: boolean;
  readonly count: number;
}

export interface EventCoverage extends SpanCoverage {
  readonly span: string;
}

export interface AttributeCoverage extends SpanCoverage {
  readonly span: string;
  /** Set for an attribute of an event. */
  readonly event?: string;
  readonly key: string;
}

export interface ConformanceCoverage {
  /** Every declared span, in manifest order. */
  readonly spans: readonly SpanCoverage[];
  /** Every declared span attribute and event attribute. */
  readonly attributes: readonly AttributeCoverage[];
  readonly events: readonly EventCoverage[];
}

export interface ConformanceResult {
  readonly violations: readonly Violation[];
  readonly coverage: ConformanceCoverage;
  /** How many of the given spans had a declared name (and were judged). */
  readonly checkedSpans: number;
  /**
   * No violations, at least one declared span seen and, with
   * `requireFullCoverage`, every declared span seen.
   */
  readonly ok: boolean;
}

export interface ConformanceOptions {
  /** Fail (`ok: false`) unless every declared span was seen at least once. */
  readonly requireFullCoverage?: boolean;
  /**
   * Attribute namespaces that may appear on a declared span without being
   * declared, added to {@link SEMCONV_NAMESPACES} (`'aws'` allows `aws.*`;
   * a full key such as `'peer.service'` allows just that key).
   */
  readonly allowNamespaces?: readonly string[];
  /**
   * Also report a declared span whose parent is a declared span not listed in
   * its `parents` hint (only when both ended in the given batch). Off by default.
   */
  readonly checkParents?: boolean;
}

/**
 * Namespaces of the OpenTelemetry semantic conventions and of the
 * instrumentations spanwright loads: keys under them are never reported as
 * undeclared, since instrumentation or the SDK may add them to any span.
 */
export const SEMCONV_NAMESPACES: readonly string[] = [
  'client',
  'code',
  'db',
  'deployment',
  'enduser',
  'error',
  'exception',
  'http',
  'knex',
  'koa',
  'messaging',
  'net',
  'network',
  'otel',
  'peer',
  'process',
  'rpc',
  'server',
  'service',
  'telemetry',
  'thread',
  'url',
  'user_agent',
];

/** Events the SDK or the helpers add to any span (`recordException`). */
const ALWAYS_ALLOWED_EVENTS: ReadonlySet<string> = new Set(['exception']);

const KIND_NAMES: Readonly<Record<number, SpanKindName>> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

/** Counts by a string id, keeping first-seen order. */
class Tally {
  readonly counts = new Map<string, number>();
  add(id: string): void {
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }
  get(id: string): number {
    return this.counts.get(id) ?? 0;
  }
}

interface Collector {
  readonly violations: Map<string, { rule: ViolationRule; span: string; event?: string; key?: string; count: number }>;
  report(rule: ViolationRule, span: string, message: string, extra?: { event?: string; key?: string }): void;
}

function newCollector(): Collector {
  const violations: Collector['violations'] = new Map();
  return {
    violations,
    report(rule, span, message, extra) {
      const found = violations.get(message);
      if (found !== undefined) found.count += 1;
      else violations.set(message, { rule, span, ...extra, count: 1 });
    },
  };
}

/**
 * Checks finished spans against the manifest. Pure: reads the spans, returns
 * the findings; never throws on what it finds (see {@link assertConformance}).
 *
 * @param spans finished spans, e.g. `exporter.getFinishedSpans()`
 * @param manifest the resolved manifest (`generated/manifest.ts`)
 */
export function checkConformance(
  spans: readonly CheckableSpan[],
  manifest: ManifestModel,
  options: ConformanceOptions = {},
): ConformanceResult {
  const declared = new Map<string, SpanModel>(manifest.spans.map((span) => [span.name, span]));
  const allowed = [...SEMCONV_NAMESPACES, ...(options.allowNamespaces ?? [])];
  const collector = newCollector();
  const spanSeen = new Tally();
  const eventSeen = new Tally();
  const attributeSeen = new Tally();
  let checkedSpans = 0;

  const nameById = options.checkParents ? spanNamesById(spans) : undefined;

  for (const span of spans) {
    const model = declared.get(span.name);
    if (model === undefined) continue;
    checkedSpans += 1;
    spanSeen.add(model.name);

    if (KIND_BY_NAME[model.kind] !== span.kind) {
      const actual = KIND_NAMES[span.kind] ?? `unknown (${String(span.kind)})`;
      collector.report('wrong-kind', model.name, `${model.name}: kind is ${actual}, declared ${model.kind}`);
    }

    checkAttributes(span.attributes, model.attributes, allowed, model.name, undefined, collector, (key) =>
      attributeSeen.add(attributeId(model.name, undefined, key)),
    );

    const events = new Map<string, EventModel>(model.events.map((event) => [event.name, event]));
    for (const event of span.events) {
      const eventModel = events.get(event.name);
      if (eventModel === undefined) {
        if (!ALWAYS_ALLOWED_EVENTS.has(event.name)) {
          collector.report('undeclared-event', model.name, `${model.name}: event "${event.name}" is not declared`, {
            event: event.name,
          });
        }
        continue;
      }
      eventSeen.add(`${model.name}\u0000${event.name}`);
      checkAttributes(event.attributes ?? {}, eventModel.attributes, allowed, model.name, event.name, collector, (key) =>
        attributeSeen.add(attributeId(model.name, event.name, key)),
      );
    }

    if (nameById !== undefined && model.parents !== undefined && model.parents.length > 0) {
      const parentId = span.parentSpanContext?.spanId;
      const parentName = parentId === undefined ? undefined : nameById.get(parentId);
      if (parentName !== undefined && declared.has(parentName) && !model.parents.includes(parentName)) {
        collector.report(
          'unexpected-parent',
          model.name,
          `${model.name}: ran inside "${parentName}", declared parents: ${model.parents.join(', ')}`,
        );
      }
    }
  }

  const coverage: ConformanceCoverage = {
    spans: manifest.spans.map((span) => coverageOf(span.name, spanSeen.get(span.name))),
    events: manifest.spans.flatMap((span) =>
      span.events.map((event) => ({
        span: span.name,
        ...coverageOf(event.name, eventSeen.get(`${span.name}\u0000${event.name}`)),
      })),
    ),
    attributes: manifest.spans.flatMap((span) => [
      ...span.attributes.map((attribute) => ({
        span: span.name,
        key: attribute.key,
        ...coverageOf(attribute.name, attributeSeen.get(attributeId(span.name, undefined, attribute.key))),
      })),
      ...span.events.flatMap((event) =>
        event.attributes.map((attribute) => ({
          span: span.name,
          event: event.name,
          key: attribute.key,
          ...coverageOf(attribute.name, attributeSeen.get(attributeId(span.name, event.name, attribute.key))),
        })),
      ),
    ]),
  };

  const violations: Violation[] = [...collector.violations].map(([message, v]) => ({
    rule: v.rule,
    span: v.span,
    ...(v.event !== undefined ? { event: v.event } : {}),
    ...(v.key !== undefined ? { key: v.key } : {}),
    message,
    count: v.count,
  }));
  const anySeen = checkedSpans > 0;
  const fullySeen = coverage.spans.every((span) => span.seen);
  return {
    violations,
    coverage,
    checkedSpans,
    ok: violations.length === 0 && anySeen && (!options.requireFullCoverage || fullySeen),
  };
}

function checkAttributes(
  attributes: Attributes,
  declared: readonly AttributeModel[],
  allowedNamespaces: readonly string[],
  span: string,
  event: string | undefined,
  collector: Collector,
  seen: (key: string) => void,
): void {
  const where = event === undefined ? `${span}:` : `${span}: event "${event}":`;
  const byKey = new Map<string, AttributeModel>(declared.map((attribute) => [attribute.key, attribute]));
  const extra = event === undefined ? {} : { event };

  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined) continue;
    const attribute = byKey.get(key);
    if (attribute === undefined) {
      if (!isAllowedKey(key, allowedNamespaces)) {
        collector.report('undeclared-attribute', span, `${where} attribute "${key}" is not declared`, { ...extra, key });
      }
      continue;
    }
    seen(key);
    if (!hasType(value, attribute.type)) {
      collector.report(
        'wrong-type',
        span,
        `${where} attribute "${key}" must be ${attribute.type}, got ${describeValue(value)}`,
        { ...extra, key },
      );
    } else if (attribute.type === 'enum' && !(attribute.values ?? []).includes(value as string)) {
      collector.report(
        'enum-value',
        span,
        `${where} attribute "${key}" is ${JSON.stringify(value)}, not one of ${(attribute.values ?? []).join(', ')}`,
        { ...extra, key },
      );
    }
  }

  for (const attribute of declared) {
    if (attribute.required && attributes[attribute.key] === undefined) {
      collector.report(
        'missing-attribute',
        span,
        `${where} required attribute "${attribute.key}" (${attribute.name}) is missing`,
        { ...extra, key: attribute.key },
      );
    }
  }
}

function isAllowedKey(key: string, namespaces: readonly string[]): boolean {
  return namespaces.some((namespace) => key === namespace || key.startsWith(`${namespace}.`));
}

function hasType(value: AttributeValue, type: AttributeType): boolean {
  switch (type) {
    case 'string':
    case 'enum':
      return typeof value === 'string';
    case 'int':
      return Number.isInteger(value);
    case 'double':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((element) => typeof element === 'string');
    case 'int[]':
      return Array.isArray(value) && value.every((element) => Number.isInteger(element));
    case 'double[]':
      return Array.isArray(value) && value.every((element) => typeof element === 'number');
    case 'boolean[]':
      return Array.isArray(value) && value.every((element) => typeof element === 'boolean');
  }
}

function describeValue(value: AttributeValue): string {
  if (Array.isArray(value)) return `${JSON.stringify(value)} (array)`;
  if (typeof value === 'number' && !Number.isInteger(value)) return `${JSON.stringify(value)} (double)`;
  return `${JSON.stringify(value)} (${typeof value})`;
}

function coverageOf(name: string, count: number): SpanCoverage {
  return { name, seen: count > 0, count };
}

function attributeId(span: string, event: string | undefined, key: string): string {
  return `${span}\u0000${event ?? ''}\u0000${key}`;
}

function spanNamesById(spans: readonly CheckableSpan[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const span of spans) {
    const id = span.spanContext?.().spanId;
    if (id !== undefined) names.set(id, span.name);
  }
  return names;
}
