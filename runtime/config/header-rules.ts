/**
 * Which export headers can be sent at all. gRPC metadata (grpc-js throws at
 * `Metadata.set`, which crashed the service at start) and Node's http
 * (`Invalid character in header content`, failing every export) both refuse
 * some names and values; one rule for every protocol, checked when the
 * configuration is resolved, so a bad header is reported by name and dropped
 * instead. Values are never part of a message.
 */

/** An HTTP field name (RFC 9110 token), lowercase: what gRPC metadata keys allow too, less `-bin`. */
const NAME = /^[0-9a-z!#$%&'*+.^_`|~-]+$/;
const GRPC_NAME = /^[0-9a-z_.-]+$/;
/** Printable ASCII, space to `~`: gRPC's rule for ASCII metadata, and safe in any HTTP header. */
const VALUE = /^[\x20-\x7e]*$/;

/** Why a header cannot be sent, or undefined when it can. `name` is already lowercase. */
export function headerProblem(name: string, value: string, grpc: boolean): string | undefined {
  if (!NAME.test(name) || (grpc && !GRPC_NAME.test(name))) return 'has a name with characters a header name cannot hold';
  if (grpc && name.endsWith('-bin')) return 'ends with -bin, which gRPC reserves for binary values';
  if (!VALUE.test(value)) return 'has a value with a character that is not printable ASCII (value hidden)';
  return undefined;
}
