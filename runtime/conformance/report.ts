/** The conformance findings as a readable report, and the assertion that throws it. */
import type { ManifestModel } from '../manifest/model';
import { checkConformance, type ConformanceOptions, type ConformanceResult } from './check';
import type { CheckableSpan } from './checkable';

/** Thrown by {@link assertConformance}; `result` holds the findings. */
export class ConformanceError extends Error {
  constructor(readonly result: ConformanceResult) {
    super(formatConformanceReport(result));
    this.name = 'ConformanceError';
  }
}

/**
 * Like {@link checkConformance}, but throws a {@link ConformanceError} whose
 * message is the readable report when anything breaks the manifest, when no
 * declared span was seen at all, or (with `requireFullCoverage`) when a
 * declared span was never seen. Returns the result otherwise.
 */
export function assertConformance(
  spans: readonly CheckableSpan[],
  manifest: ManifestModel,
  options: ConformanceOptions = {},
): ConformanceResult {
  const result = checkConformance(spans, manifest, options);
  if (!result.ok) throw new ConformanceError(result);
  return result;
}

/**
 * A multi-line report: a summary line, one line per violation, then the
 * declared spans that were not seen. For example:
 *
 * ```text
 * tracing does not conform to the manifest: 1 violation; 2 of 3 declared spans seen
 *   calculate_prediction: attribute "app.player_count" must be int, got "3" (string) (2 times)
 *   not seen: apply_injury_adjustment
 * ```
 */
export function formatConformanceReport(result: ConformanceResult): string {
  const declared = result.coverage.spans.length;
  const seen = result.coverage.spans.filter((span) => span.seen).length;
  const problems = result.violations.length;
  const headline = result.ok ? 'tracing conforms to the manifest' : 'tracing does not conform to the manifest';
  const lines = [
    `${headline}: ${problems} ${problems === 1 ? 'violation' : 'violations'}; ${seen} of ${declared} declared spans seen`,
  ];
  for (const violation of result.violations) {
    lines.push(`  ${violation.message}${violation.count > 1 ? ` (${violation.count} times)` : ''}`);
  }
  if (seen === 0) {
    lines.push(
      result.checkedSpans === 0 && declared > 0
        ? '  no span with a declared name was given (is the exporter attached, and were the helpers called?)'
        : '  the manifest declares no spans',
    );
  } else {
    const missing = result.coverage.spans.filter((span) => !span.seen).map((span) => span.name);
    if (missing.length > 0) lines.push(`  not seen: ${missing.join(', ')}`);
  }
  return lines.join('\n');
}
