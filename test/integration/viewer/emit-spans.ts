/**
 * A process of its own that traces through the real runtime (run with the generated bootstrap
 * preloaded, exporting OTLP to whatever OTEL_EXPORTER_OTLP_ENDPOINT says), for the viewer and
 * live-check tests: `conforming` makes a `calculate_prediction` span as the manifest declares
 * it, `undeclared` adds an attribute the manifest does not declare. Prints the trace id.
 */
import { getTraceId, span } from '../../../generated/spans';

const mode = process.argv[2];
const attributes: Record<string, string | number | boolean> = { 'app.player_count': 1, 'app.prediction_type': 'points' };
if (mode === 'undeclared') attributes['app.unexpected_flag'] = true;
else if (mode !== 'conforming') throw new Error(`emit-spans: mode must be conforming or undeclared, got ${String(mode)}`);

span('calculate_prediction', attributes, () => {
  process.stdout.write(`${getTraceId()}\n`);
});
// The runtime flushes its batch on beforeExit, so the span is sent before the process ends.
