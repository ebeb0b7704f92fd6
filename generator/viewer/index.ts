/** The dev trace viewer: `spanwright dev`'s receiver, store and web page. */
export { startDevServer } from './dev-server';
export type { DevServer, DevServerOptions } from './dev-server';
export { DEFAULT_LIMITS, TraceStore } from './store';
export type { StoreLimits, StoreStats, StoredTrace, TraceSummary } from './store';
export { createViewerServer, traceJson, uiDir } from './server';
