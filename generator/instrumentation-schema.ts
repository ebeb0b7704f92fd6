/**
 * The `instrumentation` block of the manifest's JSON Schema, made from the registry: each
 * definition's key turned on by `true` or by an object of its options and no others.
 * schema/tracing.schema.json holds a copy for editors; `npm run fixtures:update` rewrites it.
 */
import { INSTRUMENTATIONS, type InstrumentationDefinition } from '@spanwright/runtime';

type SchemaNode = Record<string, unknown>;

/** `properties` of the schema's `instrumentation` object, in registry order. */
export function instrumentationProperties(definitions: readonly InstrumentationDefinition[] = INSTRUMENTATIONS): SchemaNode {
  return Object.fromEntries(
    definitions.map((definition) => [
      definition.key,
      { description: definition.description, type: ['boolean', 'object'], additionalProperties: false, properties: definition.options },
    ]),
  );
}

/** A copy of the manifest schema whose `instrumentation` properties are the registry's. */
export function withInstrumentations(schema: SchemaNode, definitions: readonly InstrumentationDefinition[] = INSTRUMENTATIONS): SchemaNode {
  const properties = schema.properties as Record<string, SchemaNode>;
  return {
    ...schema,
    properties: { ...properties, instrumentation: { ...properties.instrumentation, properties: instrumentationProperties(definitions) } },
  };
}
