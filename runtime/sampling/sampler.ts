/**
 * ParentBased(root) where root is TraceIdRatioBased(ratio), except for root
 * SERVER spans whose path matches one of the environment's `rules`: those get
 * the rule's ratio. A trace is therefore kept or dropped whole, and a sampled
 * (or not sampled) incoming `traceparent` is honoured.
 */
import { SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import type { SamplingRuleModel } from '../manifest/model';
import type { SamplerName } from '../config/sampler';
import { pathOf, routePattern } from './route-pattern';

export { pathOf, routePattern };

interface CompiledRule {
  readonly route: string;
  readonly pattern: RegExp;
  readonly sampler: Sampler;
}

/** The root sampler: per-route ratios for SERVER roots, the default ratio otherwise. */
export class RouteRuleSampler implements Sampler {
  private readonly rules: readonly CompiledRule[];
  private readonly fallback: Sampler;

  constructor(ratio: number, rules: readonly SamplingRuleModel[]) {
    this.fallback = new TraceIdRatioBasedSampler(ratio);
    this.rules = rules.map((rule) => ({
      route: rule.route,
      pattern: routePattern(rule.route),
      sampler: new TraceIdRatioBasedSampler(rule.sampling),
    }));
  }

  /** The rule that applies to a root span, if any. */
  ruleFor(spanKind: SpanKind, attributes: Attributes): CompiledRule | undefined {
    if (spanKind !== SpanKind.SERVER || this.rules.length === 0) return undefined;
    const path = pathOf(attributes);
    if (path === undefined) return undefined;
    return this.rules.find((rule) => rule.pattern.test(path));
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const sampler = this.ruleFor(spanKind, attributes)?.sampler ?? this.fallback;
    return sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    const rules = this.rules.map((r) => `${r.route}=${r.sampler.toString()}`).join(', ');
    return `RouteRuleSampler{${this.fallback.toString()}${rules === '' ? '' : `, rules: ${rules}`}}`;
  }
}

/** The seed's sampler: ParentBased(RouteRuleSampler). */
export function createSampler(ratio: number, rules: readonly SamplingRuleModel[]): Sampler {
  return new ParentBasedSampler({ root: new RouteRuleSampler(ratio, rules) });
}

/**
 * The sampler OTEL_TRACES_SAMPLER names (config/sampler.ts): `always_*` as the SDK's, the ratio
 * ones through RouteRuleSampler so the manifest's route rules still apply; `parentbased_*` wrapped.
 */
export function createNamedSampler(name: SamplerName, ratio: number, rules: readonly SamplingRuleModel[]): Sampler {
  const base = name.replace(/^parentbased_/, '');
  const root = base === 'always_on' ? new AlwaysOnSampler() : base === 'always_off' ? new AlwaysOffSampler() : new RouteRuleSampler(ratio, rules);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}
