/**
 * The manifest as written in tracing.yaml, once the schema has accepted it.
 * (schema/tracing.schema.json is the documented source of truth.)
 */
import type { AttributeType, SpanKindName } from '@spanwright/runtime';

export interface RawAttribute {
  readonly type?: AttributeType;
  readonly values?: readonly string[];
  readonly ref?: string;
  readonly key?: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly renamed_from?: string;
}

export interface RawEvent {
  readonly description?: string;
  readonly attributes?: Readonly<Record<string, RawAttribute | null>>;
  readonly renamed_from?: string;
}

export interface RawSpan {
  readonly description?: string;
  readonly kind?: SpanKindName;
  readonly attributes?: Readonly<Record<string, RawAttribute | null>>;
  readonly events?: Readonly<Record<string, RawEvent | null>>;
  readonly parents?: readonly string[];
  readonly renamed_from?: string;
}

export interface RawEnvironment {
  readonly sampling?: number;
  readonly console?: boolean;
  readonly consoleFormat?: 'json' | 'tree';
  readonly rules?: readonly { readonly route: string; readonly sampling: number }[];
}

export type RawSwitch<O> = boolean | O | undefined;

export interface RawManifest {
  readonly version: 1;
  readonly service: { readonly name: string; readonly version?: string; readonly attributePrefix?: string };
  readonly environments?: Readonly<Record<string, RawEnvironment | null>>;
  readonly peers?: Readonly<Record<string, { readonly host: string }>>;
  /** Keyed by instrumentation; each options object is checked by its definition's schema (runtime/instrumentation/). */
  readonly instrumentation?: Readonly<Record<string, RawSwitch<object>>> | null;
  readonly attributes?: Readonly<Record<string, RawAttribute | null>>;
  readonly spans?: Readonly<Record<string, RawSpan | null>>;
}
