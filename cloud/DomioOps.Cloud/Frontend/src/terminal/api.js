// The host's terminal API (TERMINAL-API.md): the terminal's cookie, the antiforgery header on every write (a stale
// token is fetched again once), JSON both ways. A network failure throws; any HTTP answer resolves to a Reply.
let token = null;

/** @typedef {{ status: number, ok: boolean, data: any, headers: Headers }} Reply */

async function reply(response) {
  let data = null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) data = await response.json().catch(() => null);
  return { status: response.status, ok: response.ok, data, headers: response.headers };
}

async function antiforgery() {
  if (token) return { ok: true };
  const response = await fetch('/api/account/antiforgery', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
  const answer = await reply(response);
  if (answer.ok && answer.data) token = answer.data;
  return answer;
}

/** After a sign-in or sign-off the session changes: its token with it. */
export function forgetToken() { token = null; }

async function send(method, url, body, retried = false, anonymous = false) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && !anonymous) {
    const got = await antiforgery();
    if (!got.ok) return got;
    headers[token.headerName] = token.value;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  const answer = await reply(response);
  if (answer.status === 400 && !retried && /antiforgery/i.test(problemText(answer))) {
    token = null;
    return send(method, url, body, true, anonymous);
  }
  return answer;
}

/** The words of a problem answer (detail, else title), '' when none. */
export function problemText(answer) {
  const p = answer && answer.data;
  if (!p || typeof p !== 'object') return '';
  if (p.errors && typeof p.errors === 'object') {
    const all = Object.values(p.errors).flat().filter(Boolean);
    if (all.length) return all.join(' ');
  }
  return p.detail || p.title || '';
}

export const api = {
  work: () => send('GET', '/api/terminal/work'),
  // The sign-in door is open: no session yet, so no token.
  signInTerminal: key => send('POST', '/api/terminal/sign-in', { key }, false, true),
  identify: credential => send('POST', '/api/terminal/operator', credential),
  signOff: () => send('DELETE', '/api/terminal/operator'),
  part: id => send('GET', `/api/terminal/parts/${encodeURIComponent(id)}`),
  action: action => send('POST', '/api/terminal/actions', action),
};
