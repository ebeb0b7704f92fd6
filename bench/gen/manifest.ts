/** Synthetic manifests for the generator benchmark: N spans, 3 attributes and 1 event each. */

export function syntheticManifest(spans: number): string {
  const lines = [
    '# Synthetic benchmark manifest (bench/gen).',
    'version: 1',
    'service:',
    '  name: bench-service',
    'attributes:',
    '  tenant: { type: string, description: Tenant id }',
    'spans:',
  ];
  for (let i = 0; i < spans; i++) {
    lines.push(
      `  operation_${i}:`,
      `    description: Synthetic operation ${i}`,
      `    kind: ${i % 5 === 0 ? 'server' : 'internal'}`,
      '    attributes:',
      '      item_count: { type: int, required: true }',
      '      tenant: { ref: tenant }',
      '      mode: { type: enum, values: [fast, slow, off] }',
      '    events:',
      '      step_done:',
      '        attributes:',
      '          duration_ms: { type: double, required: true }',
    );
  }
  return `${lines.join('\n')}\n`;
}
