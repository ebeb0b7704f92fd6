/**
 * The resolved manifest: what `tracing.yaml` means once defaults, `ref:`s,
 * OpenTelemetry keys and TypeScript names are worked out. The generator builds
 * it (generator/model.ts), emits it as `generated/manifest.ts`, and the runtime
 * (bootstrap, conformance checker, docs) reads it. Plain data: no functions,
 * so it can be emitted as a literal and compared in tests.
 */

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type AttributeType =
  | 'string'
  | 'int'
  | 'double'
  | 'boolean'
  | 'enum'
  | 'string[]'
  | 'int[]'
  | 'double[]'
  | 'boolean[]';

/** Where a declaration stands in the manifest, 1-based. */
export interface SourceLocation {
  readonly line: number;
  readonly col: number;
}

export interface AttributeModel {
  /** The YAML name, snake_case. */
  readonly name: string;
  /** The TypeScript field name, camelCase. */
  readonly tsName: string;
  /** The OpenTelemetry attribute key: `key:` if given, else `<attributePrefix>.<name>`. */
  readonly key: string;
  readonly type: AttributeType;
  /** The allowed values of an `enum`, in manifest order. */
  readonly values?: readonly string[];
  readonly required: boolean;
  readonly description?: string;
  /** The shared attribute (top-level `attributes:`) this one was taken from with `ref:`. */
  readonly ref?: string;
  /** The YAML name this attribute had before, for `spanwright diff`. */
  readonly renamedFrom?: string;
  readonly location?: SourceLocation;
}

export interface EventModel {
  readonly name: string;
  readonly tsName: string;
  readonly description?: string;
  readonly attributes: readonly AttributeModel[];
  /** The YAML name this event had before, for `spanwright diff` and `migrate`. */
  readonly renamedFrom?: string;
  readonly location?: SourceLocation;
}

export interface SpanModel {
  /** The span name as exported, snake_case. */
  readonly name: string;
  /** The helper name: `spans.<tsName>`. */
  readonly tsName: string;
  readonly kind: SpanKindName;
  readonly description?: string;
  readonly attributes: readonly AttributeModel[];
  readonly events: readonly EventModel[];
  /** Spans this one is expected to run inside (a hint for docs and conformance). */
  readonly parents?: readonly string[];
  readonly renamedFrom?: string;
  readonly location?: SourceLocation;
}

/** A per-route sampling rule: requests whose route matches are sampled at `sampling`. */
export interface SamplingRuleModel {
  /** An exact path (`/healthz`) or a route pattern (`/api/v1/nba/*`). */
  readonly route: string;
  readonly sampling: number;
}

export interface EnvironmentModel {
  readonly name: string;
  /** The TraceIdRatioBased ratio, 0..1. */
  readonly sampling: number;
  /** Console export on by default in this environment. */
  readonly console: boolean;
  readonly consoleFormat?: 'json' | 'tree';
  readonly rules: readonly SamplingRuleModel[];
}

export interface PeerModel {
  /** The `peer.service` value. */
  readonly name: string;
  /** `host` or `host:port` that outgoing client spans are matched on. */
  readonly host: string;
}

/**
 * Which instrumentations the bootstrap loads, keyed by manifest key (`http`, `koa`, …), each with
 * the options its definition resolved (runtime/instrumentation/): present means on, absent off, and
 * an absent one is never required. Plain data, as it is emitted in generated/manifest.ts.
 */
export type InstrumentationModel = Readonly<Record<string, object>>;

export interface ManifestModel {
  readonly version: 1;
  /** The manifest path as given to the generator, for headers and messages. */
  readonly source: string;
  readonly service: {
    readonly name: string;
    readonly version?: string;
    readonly attributePrefix: string;
  };
  /** Keyed by environment name. */
  readonly environments: Readonly<Record<string, EnvironmentModel>>;
  readonly peers: readonly PeerModel[];
  readonly instrumentation: InstrumentationModel;
  /** The shared attribute definitions, used with `ref:`. */
  readonly attributes: readonly AttributeModel[];
  readonly spans: readonly SpanModel[];
}
