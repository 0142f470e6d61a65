/**
 * Whether a connection-URL parameter carries a password: `password` in any case (pg reads
 * `password`; `PASSWORD`, `sslpassword` and the like are redacted too, as a reader of the
 * message cannot tell which ones the driver ignores), `passwd`, `pass` and `pwd`.
 */
function isPasswordParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes('password') || lower.includes('passwd') || lower === 'pass' || lower === 'pwd';
}

/**
 * A connection URL without its passwords, for messages: the userinfo password and every
 * password parameter (whatever its case, and whether its name or value is percent-encoded)
 * become `***` (`postgres://app:***@db/app?password=***`). `'(unparsable URL)'` when it is not one.
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:s3cret@db:5432/app?sslmode=require&password=s3cret'); // 'postgres://app:***@db:5432/app?sslmode=require&password=***'
 * ```
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparsable URL)';
  }
  if (parsed.password) parsed.password = '***';
  // URLSearchParams decodes names and values, so `pass%77ord=` and `password=s%33cret` are caught too.
  const parameters: Array<[string, string]> = [...parsed.searchParams];
  if (parameters.some(([name]) => isPasswordParameter(name))) {
    parsed.search = new URLSearchParams(parameters.map(([name, value]): [string, string] => [name, isPasswordParameter(name) ? '***' : value])).toString();
  }
  return parsed.toString();
}

/**
 * `text` (a driver's error message, say) with every password the URL carries taken out, as
 * written and decoded, in case the driver quoted one.
 *
 * @example
 * ```ts
 * withoutUrlPasswords('password authentication failed for s3cret', 'postgres://u:s3cret@db/app'); // 'password authentication failed for ***'
 * ```
 */
export function withoutUrlPasswords(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value === '') return;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not valid percent-encoding: the value as written is all there is to remove.
    }
  };
  add(parsed.password);
  // Query values as written (`s%33cret`) and decoded; names compared decoded (`pass%77ord`).
  for (const pair of parsed.search.slice(1).split('&')) {
    const [name = '', value = ''] = pair.split('=');
    if (isPasswordParameter(new URLSearchParams(`${name}=`).keys().next().value ?? name)) {
      add(value);
      secrets.add(new URLSearchParams(`v=${value}`).get('v') ?? value);
    }
  }
  // Longest first, so no shorter secret leaves the tail of a longer one.
  return [...secrets].sort((a, b) => b.length - a.length).reduce((result, secret) => result.split(secret).join('***'), text);
}
