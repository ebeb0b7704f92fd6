export { emitSpans } from './spans';
export { emitManifest, literal } from './manifest';
export { emitBootstrap } from './bootstrap';
export { type EmitContext } from './ts';
