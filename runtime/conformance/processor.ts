/** Conformance in development: every ended span checked as it ends, each distinct violation said once. */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ManifestModel } from '../manifest/model';
import { checkConformance, type ConformanceOptions } from './check';

/** Options of {@link ConformanceSpanProcessor}. */
export interface ConformanceProcessorOptions extends Omit<ConformanceOptions, 'requireFullCoverage' | 'checkParents'> {
  /** Check spans at all; default: `SPANWRIGHT_STRICT=1` in the environment. */
  readonly enabled?: boolean;
  /** Where warning lines go; default: `process.stderr`. */
  readonly write?: (line: string) => void;
}

/**
 * A development span processor: with `SPANWRIGHT_STRICT=1` it checks every
 * ended span against the manifest and writes one warning line to stderr per
 * distinct violation (the first time it happens, not for every span):
 *
 * ```text
 * spanwright: conformance: calculate_prediction: attribute "app.foo" is not declared
 * ```
 *
 * Add it next to the exporting processor: `new ConformanceSpanProcessor(manifest)`.
 * It does nothing (and costs nearly nothing) when not enabled.
 */
export class ConformanceSpanProcessor implements SpanProcessor {
  /** Whether spans are checked. */
  readonly enabled: boolean;
  private readonly reported = new Set<string>();
  private readonly write: (line: string) => void;

  constructor(
    private readonly manifest: ManifestModel,
    private readonly options: ConformanceProcessorOptions = {},
  ) {
    this.enabled = options.enabled ?? process.env.SPANWRIGHT_STRICT === '1';
    this.write = options.write ?? ((line) => process.stderr.write(line));
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (!this.enabled) return;
    const { violations } = checkConformance([span], this.manifest, this.options);
    for (const violation of violations) {
      if (this.reported.has(violation.message)) continue;
      this.reported.add(violation.message);
      this.write(`spanwright: conformance: ${violation.message}\n`);
    }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
