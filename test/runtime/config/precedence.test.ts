/**
 * docs/configuration.md "Precedence", row by row: the seed's variables, the
 * specification's and the manifest, for the sampler, the exporters, the
 * propagators and the limits, with the exact warning a conflict prints.
 */
import { expect } from 'chai';
import { resolveConfig, type ResolvedConfig } from '../../../runtime/config/resolve';
import { makeManifest } from '../manifest-fixture';

interface Row {
  readonly env: Record<string, string>;
  readonly pick: (c: ResolvedConfig) => unknown;
  readonly want: unknown;
  readonly warnings?: readonly string[];
}

function rows(name: string, cases: ReadonlyArray<readonly [string, Row]>): void {
  describe(name, () => {
    for (const [title, { env, pick, want, warnings = [] }] of cases) {
      it(title, () => {
        const result = resolveConfig(makeManifest(), env);
        expect(pick(result.config)).to.deep.equal(want);
        expect(result.warnings).to.deep.equal(warnings);
      });
    }
  });
}

const sampler = (c: ResolvedConfig) => [c.sampler.name, c.ratio, c.sampler.ratioFrom, c.rules.length, c.sampler.parentBased];
const production = { OTEL_ENVIRONMENT: 'production' };

describe('precedence (docs/configuration.md)', () => {
  rows('sampler and ratio', [
    ['nothing set: parentbased_traceidratio at the environment ratio, with its rules', { env: production, pick: sampler, want: ['parentbased_traceidratio', 0.1, 'tracing.yaml environments.production', 1, true] }],
    ['OTEL_SAMPLING_RATIO beats the manifest', { env: { ...production, OTEL_SAMPLING_RATIO: '0.3' }, pick: sampler, want: ['parentbased_traceidratio', 0.3, 'OTEL_SAMPLING_RATIO', 1, true] }],
    ['OTEL_TRACES_SAMPLER=traceidratio alone: the ratio still from the manifest, rules kept', { env: { ...production, OTEL_TRACES_SAMPLER: 'traceidratio' }, pick: sampler, want: ['traceidratio', 0.1, 'tracing.yaml environments.production', 1, false] }],
    ['OTEL_TRACES_SAMPLER_ARG beats the manifest', { env: { ...production, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, pick: sampler, want: ['parentbased_traceidratio', 0.25, 'OTEL_TRACES_SAMPLER_ARG', 1, true] }],
    [
      'OTEL_TRACES_SAMPLER_ARG beats OTEL_SAMPLING_RATIO, with a warning naming both',
      {
        env: { OTEL_SAMPLING_RATIO: '0.5', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.2' },
        pick: sampler,
        want: ['traceidratio', 0.2, 'OTEL_TRACES_SAMPLER_ARG', 0, false],
        warnings: ['spanwright: OTEL_SAMPLING_RATIO=0.5 and OTEL_TRACES_SAMPLER_ARG=0.2 disagree; using OTEL_TRACES_SAMPLER_ARG=0.2'],
      },
    ],
    ['the same ratio twice is no conflict', { env: { OTEL_SAMPLING_RATIO: '0.2', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.2' }, pick: (c) => c.ratio, want: 0.2 }],
    [
      'OTEL_TRACES_SAMPLER=always_off beats OTEL_SAMPLING_RATIO, with a warning; no rules',
      {
        env: { ...production, OTEL_SAMPLING_RATIO: '0.5', OTEL_TRACES_SAMPLER: 'always_off' },
        pick: sampler,
        want: ['always_off', 0, 'OTEL_TRACES_SAMPLER=always_off', 0, false],
        warnings: ['spanwright: OTEL_SAMPLING_RATIO=0.5 and OTEL_TRACES_SAMPLER=always_off disagree; using OTEL_TRACES_SAMPLER=always_off'],
      },
    ],
    ['always_on over the manifest ratio, silently (env beats manifest)', { env: { ...production, OTEL_TRACES_SAMPLER: 'ALWAYS_ON' }, pick: sampler, want: ['always_on', 1, 'OTEL_TRACES_SAMPLER=always_on', 0, false] }],
    ['parentbased_always_off', { env: { OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, pick: sampler, want: ['parentbased_always_off', 0, 'OTEL_TRACES_SAMPLER=parentbased_always_off', 0, true] }],
    ['parentbased_always_on', { env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, pick: sampler, want: ['parentbased_always_on', 1, 'OTEL_TRACES_SAMPLER=parentbased_always_on', 0, true] }],
    [
      'an argument for always_on is ignored, with a warning',
      {
        env: { OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.5' },
        pick: (c) => [c.sampler.name, c.ratio],
        want: ['always_on', 1],
        warnings: ['spanwright: OTEL_TRACES_SAMPLER_ARG="0.5" is ignored: OTEL_TRACES_SAMPLER=always_on takes no argument'],
      },
    ],
    [
      'OTEL_TRACES_SAMPLER_ARG without OTEL_TRACES_SAMPLER is ignored, with a warning',
      {
        env: { ...production, OTEL_TRACES_SAMPLER_ARG: '0.5' },
        pick: (c) => c.ratio,
        want: 0.1,
        warnings: ['spanwright: OTEL_TRACES_SAMPLER_ARG="0.5" is ignored without OTEL_TRACES_SAMPLER; using ratio 0.1 (tracing.yaml environments.production)'],
      },
    ],
    [
      'an invalid OTEL_TRACES_SAMPLER_ARG falls back to OTEL_SAMPLING_RATIO',
      {
        env: { OTEL_SAMPLING_RATIO: '0.4', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' },
        pick: (c) => [c.ratio, c.sampler.ratioFrom],
        want: [0.4, 'OTEL_SAMPLING_RATIO'],
        warnings: ['spanwright: OTEL_TRACES_SAMPLER_ARG="2" is not a number between 0 and 1; using 0.4 (OTEL_SAMPLING_RATIO)'],
      },
    ],
    [
      'an unknown OTEL_TRACES_SAMPLER warns and keeps the default sampler',
      {
        env: { OTEL_TRACES_SAMPLER: 'sometimes' },
        pick: (c) => [c.sampler.name, c.sampler.from],
        want: ['parentbased_traceidratio', 'default'],
        warnings: [
          'spanwright: OTEL_TRACES_SAMPLER="sometimes" is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; using parentbased_traceidratio',
        ],
      },
    ],
    ...(['jaeger_remote', 'parentbased_jaeger_remote', 'xray'] as const).map(
      (name) =>
        [
          `${name} is not supported: one warning, the default sampler`,
          {
            env: { OTEL_TRACES_SAMPLER: name },
            pick: (c: ResolvedConfig) => c.sampler.name,
            want: 'parentbased_traceidratio',
            warnings: [`spanwright: OTEL_TRACES_SAMPLER="${name}" is not supported by spanwright; using parentbased_traceidratio`],
          },
        ] as const,
    ),
  ]);

  const exporters = (c: ResolvedConfig) => [c.console.enabled, c.exporters.consoleFrom, c.otlp?.url, c.exporters.otlpFrom];
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  rows('exporters', [
    ['nothing set: console from the environment, no OTLP', { env: {}, pick: exporters, want: [true, 'tracing.yaml environments.development', undefined, 'default'] }],
    ['OTEL_EXPORTER_CONSOLE beats the manifest', { env: { OTEL_EXPORTER_CONSOLE: 'false' }, pick: exporters, want: [false, 'OTEL_EXPORTER_CONSOLE', undefined, 'default'] }],
    ['an endpoint turns OTLP on', { env: endpoint, pick: exporters, want: [true, 'tracing.yaml environments.development', 'http://collector:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT'] }],
    ['OTEL_TRACES_EXPORTER=otlp beats the manifest console, silently', { env: { ...endpoint, OTEL_TRACES_EXPORTER: 'otlp' }, pick: exporters, want: [false, 'OTEL_TRACES_EXPORTER', 'http://collector:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT'] }],
    ['OTEL_TRACES_EXPORTER=otlp with no endpoint: the specification default', { env: { OTEL_TRACES_EXPORTER: 'otlp' }, pick: exporters, want: [false, 'OTEL_TRACES_EXPORTER', 'http://localhost:4318/v1/traces', 'OTEL_TRACES_EXPORTER (default endpoint)'] }],
    [
      'OTEL_TRACES_EXPORTER=otlp beats OTEL_EXPORTER_CONSOLE=true, with a warning',
      {
        env: { ...endpoint, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_CONSOLE: 'true' },
        pick: exporters,
        want: [false, 'OTEL_TRACES_EXPORTER', 'http://collector:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
        warnings: ['spanwright: OTEL_EXPORTER_CONSOLE=true and OTEL_TRACES_EXPORTER=otlp disagree; using OTEL_TRACES_EXPORTER=otlp (console off)'],
      },
    ],
    [
      'OTEL_TRACES_EXPORTER=console beats OTEL_EXPORTER_CONSOLE=false and the endpoint, with a warning each',
      {
        env: { ...endpoint, OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_CONSOLE: 'false' },
        pick: exporters,
        want: [true, 'OTEL_TRACES_EXPORTER', undefined, 'OTEL_TRACES_EXPORTER'],
        warnings: [
          'spanwright: OTEL_EXPORTER_CONSOLE=false and OTEL_TRACES_EXPORTER=console disagree; using OTEL_TRACES_EXPORTER=console (console on)',
          'spanwright: OTEL_EXPORTER_OTLP_ENDPOINT is set but OTEL_TRACES_EXPORTER=console leaves out otlp; using OTEL_TRACES_EXPORTER=console (no OTLP export)',
        ],
      },
    ],
    ['OTEL_TRACES_EXPORTER=none, nothing else set: no exporter, silently', { env: { OTEL_TRACES_EXPORTER: 'none' }, pick: exporters, want: [false, 'OTEL_TRACES_EXPORTER', undefined, 'OTEL_TRACES_EXPORTER'] }],
    ['a comma list, any case and spaces', { env: { ...endpoint, OTEL_TRACES_EXPORTER: ' Console , OTLP ' }, pick: exporters, want: [true, 'OTEL_TRACES_EXPORTER', 'http://collector:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT'] }],
    [
      'HONEYCOMB_API_KEY left out by OTEL_TRACES_EXPORTER=console: the warning names it',
      {
        env: { HONEYCOMB_API_KEY: 'hc-key', OTEL_TRACES_EXPORTER: 'console' },
        pick: (c) => c.otlp,
        want: undefined,
        warnings: ['spanwright: HONEYCOMB_API_KEY is set but OTEL_TRACES_EXPORTER=console leaves out otlp; using OTEL_TRACES_EXPORTER=console (no OTLP export)'],
      },
    ],
    [
      'an unsupported entry warns and the rest applies',
      {
        env: { OTEL_TRACES_EXPORTER: 'zipkin,console' },
        pick: exporters,
        want: [true, 'OTEL_TRACES_EXPORTER', undefined, 'OTEL_TRACES_EXPORTER'],
        warnings: ['spanwright: OTEL_TRACES_EXPORTER entry "zipkin" is not supported by spanwright (known: otlp, console, none); ignoring it'],
      },
    ],
    [
      'nothing usable: the seed variables decide',
      {
        env: { ...endpoint, OTEL_TRACES_EXPORTER: 'kafka', OTEL_EXPORTER_CONSOLE: 'false' },
        pick: exporters,
        want: [false, 'OTEL_EXPORTER_CONSOLE', 'http://collector:4318/v1/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
        warnings: [
          'spanwright: OTEL_TRACES_EXPORTER entry "kafka" is not a known exporter (known: otlp, console, none); ignoring it',
          'spanwright: OTEL_TRACES_EXPORTER="kafka" names no usable exporter; using the exporters OTEL_EXPORTER_CONSOLE and OTEL_EXPORTER_OTLP_ENDPOINT give',
        ],
      },
    ],
    [
      'OTEL_TRACES_ENABLED=false beats OTEL_TRACES_EXPORTER, with a warning',
      {
        env: { OTEL_TRACES_ENABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' },
        pick: (c) => c.enabled,
        want: false,
        warnings: ['spanwright: OTEL_TRACES_ENABLED=false and OTEL_TRACES_EXPORTER=otlp disagree; using OTEL_TRACES_ENABLED=false (no SDK, no export)'],
      },
    ],
    ['OTEL_SDK_DISABLED=true with OTEL_TRACES_EXPORTER=none agree', { env: { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none' }, pick: (c) => c.enabled, want: false }],
  ]);

  rows('propagators', [
    ['unset: tracecontext, baggage', { env: {}, pick: (c) => [c.propagators.names, c.propagators.from], want: [['tracecontext', 'baggage'], 'default'] }],
    ['a list, in order, deduplicated', { env: { OTEL_PROPAGATORS: 'b3multi, jaeger,B3MULTI,tracecontext' }, pick: (c) => c.propagators.names, want: ['b3multi', 'jaeger', 'tracecontext'] }],
    ['none', { env: { OTEL_PROPAGATORS: 'none' }, pick: (c) => [c.propagators.names, c.propagators.from], want: [[], 'OTEL_PROPAGATORS'] }],
    [
      'none among others is ignored, with a warning',
      {
        env: { OTEL_PROPAGATORS: 'none,b3' },
        pick: (c) => c.propagators.names,
        want: ['b3'],
        warnings: ['spanwright: OTEL_PROPAGATORS="none,b3": none is ignored when other propagators are listed'],
      },
    ],
    [
      'nothing usable: the default, with a warning each',
      {
        env: { OTEL_PROPAGATORS: 'ottrace' },
        pick: (c) => [c.propagators.names, c.propagators.from],
        want: [['tracecontext', 'baggage'], 'default'],
        warnings: [
          'spanwright: OTEL_PROPAGATORS entry "ottrace" is not supported by spanwright (known: tracecontext, baggage, b3, b3multi, jaeger, none); ignoring it',
          'spanwright: OTEL_PROPAGATORS="ottrace" names no usable propagator; using tracecontext,baggage',
        ],
      },
    ],
  ]);

  rows('span limits', [
    [
      'defaults: 128 each, no value length limit',
      {
        env: {},
        pick: (c) => c.spanLimits,
        want: {
          attributeCountLimit: 128,
          attributeValueLengthLimit: Infinity,
          eventCountLimit: 128,
          linkCountLimit: 128,
          attributePerEventCountLimit: 128,
          attributePerLinkCountLimit: 128,
        },
      },
    ],
    [
      'the general limits apply to spans when the span ones are unset',
      { env: { OTEL_ATTRIBUTE_COUNT_LIMIT: '10', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100' }, pick: (c) => [c.spanLimits.attributeCountLimit, c.spanLimits.attributeValueLengthLimit], want: [10, 100] },
    ],
    [
      'the span limits beat the general ones',
      {
        env: { OTEL_ATTRIBUTE_COUNT_LIMIT: '10', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '20', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '50' },
        pick: (c) => [c.spanLimits.attributeCountLimit, c.spanLimits.attributeValueLengthLimit],
        want: [20, 50],
      },
    ],
    [
      'events, links and their attributes',
      {
        env: { OTEL_SPAN_EVENT_COUNT_LIMIT: '5', OTEL_SPAN_LINK_COUNT_LIMIT: '6', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '7', OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '8' },
        pick: (c) => [c.spanLimits.eventCountLimit, c.spanLimits.linkCountLimit, c.spanLimits.attributePerEventCountLimit, c.spanLimits.attributePerLinkCountLimit],
        want: [5, 6, 7, 8],
      },
    ],
    [
      'an invalid span limit falls back to the general one, and says so',
      {
        env: { OTEL_ATTRIBUTE_COUNT_LIMIT: '10', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '-1' },
        pick: (c) => c.spanLimits.attributeCountLimit,
        want: 10,
        warnings: ['spanwright: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="-1" is not a whole number of 0 or more; using 10 (OTEL_ATTRIBUTE_COUNT_LIMIT)'],
      },
    ],
    [
      'an invalid length limit: no limit',
      {
        env: { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'big' },
        pick: (c) => c.spanLimits.attributeValueLengthLimit,
        want: Infinity,
        warnings: ['spanwright: OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="big" is not a whole number of 0 or more; using no limit'],
      },
    ],
  ]);
});
