/**
 * `spanwright dev` without the command line: an OTLP receiver feeding a bounded TraceStore,
 * and the viewer's web server reading it. The demo (`npm run demo -- --ui`) and the browser
 * tests start it in-process.
 */
import type * as http from 'node:http';
import type * as net from 'node:net';
import type { ManifestModel } from '@spanwright/runtime';
import { OtlpReceiver } from '../receiver/receiver';
import { createViewerServer } from './server';
import { DEFAULT_LIMITS, TraceStore, type StoreLimits } from './store';

export interface DevServerOptions {
  /** The resolved manifest whose spans get conformance findings; none: no findings. */
  readonly manifest?: ManifestModel;
  /** How the page names the manifest (its path). */
  readonly manifestLabel?: string;
  /** Ports; 0 picks a free one. Defaults: 4317, 4318, 16686 (Jaeger's). */
  readonly grpcPort?: number;
  readonly httpPort?: number;
  readonly uiPort?: number;
  /** Address every listener binds (default 127.0.0.1). */
  readonly host?: string;
  readonly limits?: Partial<StoreLimits>;
}

export interface DevServer {
  readonly receiver: OtlpReceiver;
  readonly store: TraceStore;
  /** e.g. http://127.0.0.1:16686 */
  readonly uiUrl: string;
  /** OTLP/HTTP base endpoint, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly httpEndpoint: string;
  readonly grpcEndpoint: string;
  close(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const store = new TraceStore(options.manifest, { ...DEFAULT_LIMITS, ...options.limits });
  const receiver = new OtlpReceiver({ grpcPort: options.grpcPort ?? 4317, httpPort: options.httpPort ?? 4318, host, retain: false });
  receiver.on('spans', (spans) => store.add(spans));
  try {
    await receiver.start();
  } catch (error) {
    await receiver.close(); // releases the gRPC server, so the process can end
    throw error;
  }
  let ui: http.Server;
  let uiPort: number;
  try {
    ui = createViewerServer(store, {
      manifest: options.manifest === undefined ? undefined : (options.manifestLabel ?? 'manifest'),
      otlp: { grpc: receiver.grpcEndpoint, http: receiver.httpEndpoint },
    });
    uiPort = await listen(ui, options.uiPort ?? 16686, host);
  } catch (error) {
    await receiver.close();
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    receiver,
    store,
    uiUrl: `http://${urlHost}:${uiPort}`,
    httpEndpoint: receiver.httpEndpoint,
    grpcEndpoint: receiver.grpcEndpoint,
    async close() {
      const uiClosed = new Promise<void>((resolve) => ui.close(() => resolve()));
      ui.closeAllConnections(); // the page's polling keeps connections alive
      await Promise.all([receiver.close(), uiClosed]);
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
