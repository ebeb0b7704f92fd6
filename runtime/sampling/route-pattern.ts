/**
 * Route patterns of sampling rules and ignored paths, and the request path of
 * a span's start attributes. No SDK dependency: config checks and
 * diagnostics use it without loading OpenTelemetry.
 */
import type { Attributes } from '@opentelemetry/api';

/** Attributes that carry the request path when the HTTP server span starts (stable and older names). */
const PATH_KEYS = ['url.path', 'http.target', 'http.route'] as const;

/** `/healthz` exact; `/api/*` any rest; `/players/:id` one segment. */
export function routePattern(route: string): RegExp {
  let source = '';
  for (const part of route.split(/(\*|:[A-Za-z_][A-Za-z0-9_]*)/)) {
    if (part === '*') source += '.*';
    else if (part.startsWith(':') && part.length > 1) source += '[^/]+';
    else source += part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The request path of a span's start attributes, without the query string. */
export function pathOf(attributes: Attributes): string | undefined {
  for (const key of PATH_KEYS) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') {
      const q = value.indexOf('?');
      return q === -1 ? value : value.slice(0, q);
    }
  }
  return undefined;
}
