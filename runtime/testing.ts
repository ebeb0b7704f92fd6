/**
 * `@spanwright/runtime/testing`: for tests of a traced service. An in-memory provider whose spans
 * a test reads back (and checks with `checkConformance` from the user API), and the two switches
 * a test that starts and stops providers needs.
 */
export { startTestProvider, type TestProvider } from './testing/provider';
export { setTracingEnabled } from './helpers/switches';
export { resetTracerCache } from './helpers/span-core';
