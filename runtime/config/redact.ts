/**
 * The one function that makes an endpoint printable. Every warning, info
 * line, drop report and `doctor` line that shows an OTLP endpoint goes
 * through it: the userinfo (`user:password@`), every query value and the
 * fragment are masked, whether or not the text parses as a URL, so a
 * malformed endpoint given with a password is as safe to print as a good one.
 */

const MASK = '***';

/** `token=abc&x` → `token=***&***`: keys stay (they tell which setting), values go. */
function maskQuery(query: string): string {
  return query
    .split('&')
    .map((part) => {
      if (part === '') return part;
      const eq = part.indexOf('=');
      return eq < 0 ? MASK : `${part.slice(0, eq)}=${MASK}`;
    })
    .join('&');
}

/**
 * `https://user:pass@host:4318/v1/traces?token=abc#x` → `https://***@host:4318/v1/traces?token=***#***`.
 * Works on the text as given (no normalising), so a warning still shows what was set.
 */
export function redactUrl(text: string): string {
  let rest = text;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = hash === rest.length - 1 ? '#' : `#${MASK}`;
    rest = rest.slice(0, hash);
  }
  let query = '';
  const question = rest.indexOf('?');
  if (question >= 0) {
    query = `?${maskQuery(rest.slice(question + 1))}`;
    rest = rest.slice(0, question);
  }
  // The userinfo ends at the last `@` before the query: a password may itself hold `/` or `@`.
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest)?.[0] ?? '';
    if (at >= scheme.length) rest = `${scheme}${MASK}${rest.slice(at)}`;
  }
  return `${rest}${query}${fragment}`;
}
