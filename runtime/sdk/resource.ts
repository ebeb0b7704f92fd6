/** The resource every span carries. */
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { hostname } from 'node:os';
import type { ResolvedConfig } from '../config/resolve';

/** Resource keys (semantic conventions, stable). */
const ATTR_SERVICE_NAME = 'service.name';
const ATTR_SERVICE_VERSION = 'service.version';
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

/**
 * The resource: the SDK defaults, host and process basics (synchronous, and
 * no command line: arguments can hold secrets), OTEL_RESOURCE_ATTRIBUTES,
 * then the service and environment, which win.
 */
export function buildResource(config: ResolvedConfig): Resource {
  return defaultResource().merge(
    resourceFromAttributes({
      'host.name': hostname(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      ...config.resourceAttributes,
      [ATTR_SERVICE_NAME]: config.serviceName,
      ...(config.serviceVersion !== undefined ? { [ATTR_SERVICE_VERSION]: config.serviceVersion } : {}),
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    }),
  );
}
