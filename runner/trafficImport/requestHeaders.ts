// Which recorded request headers a generated locustfile keeps: the ones that change what the server does.

/** Headers the HTTP client sets itself, that the session handles (cookies), or that only describe the browser. */
const DROPPED = new Set([
  'host', 'connection', 'content-length', 'cookie', 'accept-encoding', 'accept-language', 'user-agent', 'origin', 'referer',
  'upgrade-insecure-requests', 'cache-control', 'pragma', 'priority', 'dnt', 'te', 'keep-alive', 'if-none-match',
  'if-modified-since', 'purpose', 'sec-purpose', 'x-client-data', 'transfer-encoding', 'expect',
]);

/** Accept values that any client may send: not worth a header in the locustfile. */
const ORDINARY_ACCEPT = /^(\*\/\*|text\/html|application\/json(, text\/plain, \*\/\*)?|application\/json, \*\/\*)/i;

export function keepsHeader(name: string, value: string, bodyKind: string | undefined): boolean {
  const lower = name.toLowerCase();
  if (DROPPED.has(lower) || lower.startsWith('sec-') || lower.startsWith('proxy-') || lower.startsWith(':')) return false;
  if (lower === 'accept' && ORDINARY_ACCEPT.test(value)) return false;
  // requests sets the content type of json= and form data= bodies itself.
  if (lower === 'content-type' && (bodyKind === 'json' || bodyKind === 'form')) return false;
  return true;
}
