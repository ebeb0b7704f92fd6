// The floor under any OpenTelemetry context propagation on Node 20: one AsyncLocalStorage,
// entered once, turns on the async hooks that every promise then pays for. The bench's
// "als-only" variant preloads this in front of the tracing-off bootstrap.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');

new AsyncLocalStorage().enterWith({});
