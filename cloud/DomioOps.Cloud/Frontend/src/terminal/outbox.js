// The operator's actions survive a dropped network and a reload: each goes to IndexedDB first (with its idempotency
// key), and one sender posts them strictly in order, one at a time. The last known work is kept beside them.
import { openDB } from 'idb';

const database = openDB('domio-terminal', 1, {
  upgrade(db) {
    db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    db.createObjectStore('kept');
  },
});

/** A version 4 UUID: crypto.randomUUID where the page is a secure context, else from getRandomValues. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Adds an item ({ action, local }) at the end; resolves to the stored item with its sequence number. */
export async function enqueue(item) {
  const seq = await (await database).add('outbox', item);
  return { ...item, seq };
}

export async function pending() { return (await database).getAll('outbox'); }

async function first() {
  const cursor = await (await database).transaction('outbox').store.openCursor();
  return cursor ? cursor.value : null;
}

async function remove(seq) { await (await database).delete('outbox', seq); }

export async function keep(name, value) { await (await database).put('kept', value, name); }

export async function kept(name) { return (await database).get('kept', name); }

/** The outcome of posting one action, from its answer (null: the network failed). */
export function outcome(answer) {
  if (answer === null) return 'retry';
  if (answer.ok) return 'applied';
  if (answer.status === 401 || answer.status === 403) return 'signed-out';
  if (answer.status >= 500 || answer.status === 429 || answer.status === 408) return 'retry';
  return 'refused';
}

/**
 * The sender: posts the first action, and only when it is applied or refused for good the next one. A network
 * error, 5xx or 429 keeps it and retries later with backoff (or after Retry-After); 401/403 keeps everything and
 * waits for resume() after the terminal signs in again.
 */
export function createSender({ post, applied, refused, signedOut, reachable }) {
  let busy = false, again = false, halted = false, timer = null, failures = 0;

  function later(answer) {
    const after = Number(answer && answer.headers.get('retry-after'));
    const delay = after > 0 ? after * 1000 : Math.min(30_000, 1000 * 2 ** Math.min(failures, 5));
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }

  async function send() {
    if (busy) { again = true; return; }
    busy = true;
    clearTimeout(timer);
    timer = null;
    let sent = 0;
    try {
      do {
        again = false;
        for (;;) {
          if (halted) return;
          const item = await first();
          if (!item) break;
          let answer = null;
          try { answer = await post(item.action); } catch { answer = null; }
          const result = outcome(answer);
          reachable(answer !== null);
          if (result === 'retry') { failures++; later(answer); return; }
          if (result === 'signed-out') { halted = true; signedOut(); return; }
          failures = 0;
          await remove(item.seq);
          sent++;
          if (result === 'applied') await applied(item, answer);
          else await refused(item, answer);
        }
      } while (again);
    } finally {
      busy = false;
      if (sent > 0) sender.drained?.(sent);
    }
  }

  const sender = {
    send,
    get busy() { return busy; },
    /** After the terminal signed in again. */
    resume() { halted = false; failures = 0; send(); },
    /** The network came back: try now rather than at the end of the backoff. */
    now() { failures = 0; if (!busy) send(); },
    drained: null,
  };
  return sender;
}
