/** schema/tracing.schema.json: a strict draft 2020-12 schema, documented field by field. */
import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { schemaPath } from '../../generator';

const ROOT = resolve(__dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'tracing.schema.json'), 'utf8')) as Record<string, unknown>;

type Node = Record<string, unknown>;

/** Every subschema that describes a field: properties, additionalProperties, items, propertyNames, $defs. */
function fieldSchemas(node: Node, path: string, out: [string, Node][]): [string, Node][] {
  const visit = (child: unknown, childPath: string): void => {
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      out.push([childPath, child as Node]);
      fieldSchemas(child as Node, childPath, out);
    }
  };
  for (const [name, child] of Object.entries((node.properties as Node | undefined) ?? {})) visit(child, `${path}.${name}`);
  for (const [name, child] of Object.entries((node.$defs as Node | undefined) ?? {})) visit(child, `${path}$defs.${name}`);
  for (const key of ['additionalProperties', 'items', 'propertyNames'] as const) visit(node[key], `${path}.${key}`);
  return out;
}

describe('manifest JSON Schema', () => {
  it('is draft 2020-12 and compiles in ajv strict mode', () => {
    expect(schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).to.not.throw();
  });

  it('has a description on every field', () => {
    const missing = fieldSchemas(schema, '', [])
      .filter(([, node]) => typeof node.description !== 'string' || node.description === '')
      .map(([path]) => path);
    expect(missing).to.deep.equal([]);
  });

  it('requires version and service, and says names are snake_case', () => {
    expect(schema.required).to.deep.equal(['version', 'service']);
    const snake = new RegExp(((schema.$defs as Node).snakeName as Node).pattern as string);
    for (const ok of ['calculate_prediction', 'a', 'player2', 'score_1']) expect(snake.test(ok), ok).to.equal(true);
    for (const bad of ['CalcPrediction', 'player-id', '_a', 'a__b', 'a_', '1a']) expect(snake.test(bad), bad).to.equal(false);
  });

  it('accepts every fixture manifest and the repository tracing.yaml', () => {
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema);
    for (const file of ['tracing.yaml', 'test/fixtures/predictions/tracing.yaml', 'test/fixtures/semconv/tracing.yaml', 'test/fixtures/minimal/tracing.yaml']) {
      expect(validate(parse(readFileSync(join(ROOT, file), 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    }
  });

  it('is the file the generator validates with, and the one tracing.yaml points editors at', () => {
    expect(resolve(schemaPath())).to.equal(join(ROOT, 'schema', 'tracing.schema.json'));
    expect(readFileSync(join(ROOT, 'tracing.yaml'), 'utf8').split('\n')[0]).to.equal('# yaml-language-server: $schema=./schema/tracing.schema.json');
  });
});
