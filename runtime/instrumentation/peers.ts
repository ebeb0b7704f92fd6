/**
 * `peer.service` for outgoing client spans, from the manifest's `peers`:
 * a peer declared as `host:port` matches that exact pair, a peer declared as
 * `host` matches the host on any port.
 */
import type { Attributes } from '@opentelemetry/api';
import type { PeerModel } from '../manifest/model';

export type PeerLookup = (host: string | undefined, port: string | number | undefined) => string | undefined;

/** `[::1]` → `::1`, lower case. */
function normalizeHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Splits `host`, `host:port` or `[v6]:port`, as written (a peer declaration, a Host header,
 * http.request's `host`); the brackets of an IPv6 host are dropped.
 */
export function splitHostPort(text: string): { host: string; port?: string } {
  if (text.charCodeAt(0) === 91 /* [ */) {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
    if (v6 !== null) return { host: v6[1]!, ...(v6[2] !== undefined ? { port: v6[2] } : {}) };
  }
  const m = /^([^:]+):(\d+)$/.exec(text);
  if (m !== null) return { host: m[1]!, port: m[2]! };
  return { host: text };
}

export function createPeerLookup(peers: readonly PeerModel[]): PeerLookup {
  const exact = new Map<string, string>();
  const anyPort = new Map<string, string>();
  for (const peer of peers) {
    const { host: declared, port } = splitHostPort(peer.host);
    const host = declared.toLowerCase();
    if (port !== undefined) exact.set(`${host}:${port}`, peer.name);
    else anyPort.set(host, peer.name);
  }
  return (host, port) => {
    if (host === undefined || host === '') return undefined;
    const h = normalizeHost(host);
    if (port !== undefined && port !== '') {
      const hit = exact.get(`${h}:${port}`);
      if (hit !== undefined) return hit;
    }
    return anyPort.get(h);
  };
}

/** Host and port of a request origin such as `http://127.0.0.1:3001`; default ports filled in. */
export function originHostPort(origin: string): { host: string; port: string } | undefined {
  try {
    const url = new URL(origin);
    const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
    return { host: url.hostname, port };
  } catch {
    return undefined;
  }
}

const PEER_SERVICE = 'peer.service';

/** The `peer.service` attribute of a client span to `host`:`port`, if a peer is declared for it. */
export function peerAttributes(lookup: PeerLookup, host: string | undefined, port: string | number | undefined): Attributes {
  const name = lookup(host, port);
  return name === undefined ? {} : { [PEER_SERVICE]: name };
}
