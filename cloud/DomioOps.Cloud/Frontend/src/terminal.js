// The operator terminal (/terminal): a small PWA that keeps working when the network drops. Actions go to an IndexedDB
// outbox first and are sent in order with an idempotency key each; live machine counts come over SignalR.
import { api, forgetToken, problemText } from './terminal/api.js';
import { createLive } from './terminal/live.js';
import { createSender, enqueue, keep, kept, newKey, pending } from './terminal/outbox.js';
import { chosenLanguage, format, loadLanguage, t } from './terminal/strings.js';
import * as view from './terminal/view.js';
import { normalOperation, normalWork, proposedGood, shown, stopsToExplain } from './terminal/work.js';

const model = {
  screen: null,
  work: null,
  outbox: [],
  machines: new Map(),
  chosen: null,
  chosenMachine: new Map(),
  answered: new Set(),
  online: navigator.onLine,
  stops: [],
  /** The machine an operation runs on, or would start on. */
  machineFor(operation) {
    if (!operation) return null;
    if (operation.machineId && (operation.state === 'Running' || operation.state === 'Paused')) return operation.machineId;
    const machines = model.work?.machines ?? [];
    return model.chosenMachine.get(operation.id) ?? operation.machineId ?? machines[0]?.id ?? null;
  },
};

function mergeMachines(machines) {
  for (const machine of machines ?? []) {
    const known = model.machines.get(machine.id);
    if (!known || !known.updatedAt || (machine.updatedAt && Date.parse(machine.updatedAt) >= Date.parse(known.updatedAt))) {
      model.machines.set(machine.id, { ...known, ...machine });
    }
  }
}

function reachable(yes) {
  const online = yes && navigator.onLine;
  if (model.online !== online) {
    model.online = online;
    render();
  }
}

function render() {
  view.bar(model, handlers);
  if (model.screen !== 'work' || !model.work) return;
  const work = shown(model.work, model.outbox, model.machines);
  model.stops = work.operator ? stopsToExplain(work, model.machines, model.answered) : [];
  view.work(model, work, handlers);
}

function go(screen) {
  if (model.screen === screen) { render(); return; }
  model.screen = screen;
  view.alert('');
  if (screen === 'terminal-sign-in') view.terminalSignIn(handlers);
  else if (screen === 'operator-sign-in') view.operatorSignIn(model, handlers);
  else if (screen === 'offline') view.offline(handlers);
  else view.workFrame(handlers);
  render();
}

/** Where the terminal is when the host cannot be asked: the last known work, if any. */
function fromKept() {
  if (model.work?.operator) go('work');
  else if (model.work) go('operator-sign-in');
  else go('offline');
}

let refreshing = null;
let refreshAgain = false;

/** Asks the host for the work (never while the sender posts: the answer would cross the actions in flight). */
async function refresh() {
  if (sender.busy || refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    let answer;
    try { answer = await api.work(); } catch { reachable(false); if (!model.screen || model.screen === 'loading') fromKept(); return; }
    reachable(true);
    if (answer.status === 401 || answer.status === 403) { live.stop(); go('terminal-sign-in'); return; }
    if (!answer.ok || !answer.data) { view.alert(t('Error.Host', answer.status)); if (!model.screen) fromKept(); return; }
    model.work = normalWork(answer.data);
    mergeMachines(model.work.machines);
    await keep('work', model.work);
    live.start();
    if (!model.work.operator) { go('operator-sign-in'); return; }
    go('work');
    sender.resume();
  })();
  try { await refreshing; } finally {
    refreshing = null;
    if (refreshAgain) { refreshAgain = false; if (!sender.busy) refresh(); }
  }
}

const sender = createSender({
  post: action => api.action(action),
  reachable,
  async applied(item, answer) {
    model.outbox = model.outbox.filter(i => i.seq !== item.seq);
    const operation = normalOperation(answer.data?.operation);
    if (operation && model.work) {
      const at = model.work.queue.findIndex(o => o.id === operation.id);
      if (at >= 0) model.work.queue[at] = operation; else model.work.queue.push(operation);
    }
    if (item.action.kind === 'stop-reason' && model.work) {
      model.work.openStops = (model.work.openStops ?? []).filter(s => s.machineId !== item.action.machineId);
    }
    render();
    if (model.work) await keep('work', model.work);
  },
  async refused(item, answer) {
    model.outbox = model.outbox.filter(i => i.seq !== item.seq);
    view.alert(t('Error.Refused', t(`ActionKind.${item.action.kind}`), problemText(answer) || String(answer.status)));
    render();
  },
  signedOut() { refresh(); },
});
sender.drained = () => refresh();

const live = createLive({
  machineChanged(snapshot) {
    mergeMachines([snapshot]);
    render();
  },
  connected() { refresh(); },
  state() { },
});

async function act(kind, fields, local = {}) {
  const action = { key: newKey(), kind, ...fields, at: new Date().toISOString() };
  const item = await enqueue({ action, local });
  model.outbox.push(item);
  view.alert('');
  render();
  sender.send();
}

const handlers = {
  async language(chosen) {
    try { await loadLanguage(chosen); } catch { view.alert(t('Error.Offline')); return; }
    const screen = model.screen;
    model.screen = null;
    document.getElementById('bar').dataset.signature = '';
    go(screen ?? 'offline');
  },
  async signInTerminal(key) {
    if (!key) { view.alert(t('TerminalSignIn.Required')); return; }
    let answer;
    try { answer = await api.signInTerminal(key); } catch { reachable(false); view.alert(t('Error.Offline')); return; }
    reachable(true);
    if (answer.ok) { forgetToken(); view.alert(''); await refresh(); return; }
    view.alert(answer.status === 429 ? t('Error.TooMany', retryAfter(answer)) : t('TerminalSignIn.Wrong'));
    document.getElementById('terminal-key')?.select();
  },
  async identify(credential) {
    if (!credential.badge && (!credential.userName || !credential.pin)) { view.alert(t('OperatorSignIn.Required')); return; }
    let answer;
    try { answer = await api.identify(credential); } catch { reachable(false); view.alert(t('Error.Offline')); return; }
    reachable(true);
    if (answer.ok) {
      forgetToken();
      model.chosen = null;
      view.alert('');
      await refresh();
      return;
    }
    if (answer.status === 401 && !answer.data) { go('terminal-sign-in'); return; }
    view.alert(answer.status === 401 ? t('OperatorSignIn.Unknown')
      : answer.status === 423 ? t('OperatorSignIn.PinLocked')
        : answer.status === 429 ? t('OperatorSignIn.TerminalLocked', retryAfter(answer))
          : t('Error.Host', answer.status));
    const pin = document.getElementById('pin');
    if (pin) pin.value = '';
    document.getElementById('badge')?.focus();
  },
  async signOff() {
    if (model.outbox.length > 0) {
      await sender.send();
      if (model.outbox.length > 0) { view.alert(t('SignOff.Waiting', format.number(model.outbox.length))); return; }
    }
    let answer;
    try { answer = await api.signOff(); } catch { reachable(false); view.alert(t('Error.Offline')); return; }
    if (!answer.ok && answer.status !== 401) { view.alert(t('Error.Host', answer.status)); return; }
    forgetToken();
    model.chosen = null;
    if (model.work) { model.work.operator = null; await keep('work', model.work); }
    await refresh();
  },
  retry() { refresh(); },
  choose(id) {
    model.chosen = id;
    render();
    document.getElementById('current-title')?.scrollIntoView({ block: 'nearest' });
  },
  chooseMachine(operationId, machineId) {
    model.chosenMachine.set(operationId, machineId);
    render();
  },
  start(operation) {
    const machineId = model.machineFor(operation);
    model.chosen = operation.id;
    act('start', { operationId: operation.id, machineId }, { baseline: machineId ? model.machines.get(machineId)?.pieceCount ?? null : null });
  },
  pause(operation) { act('pause', { operationId: operation.id }); },
  quantities(kind, operation) {
    const work = shown(model.work, model.outbox, model.machines);
    const now = work.queue.find(o => o.id === operation.id) ?? operation;
    view.quantities(kind, now, proposedGood(now, model.machines), work.scrapReasons ?? [], {
      submit: ({ good, scrap, scrapReason }) => {
        if (kind === 'finish') view.notice(t('Finished', `${now.orderNumber} · ${now.partName}`));
        act(kind, { operationId: operation.id, good, scrap, scrapReason });
      },
    });
  },
  stopReason(stop, reason) {
    const machine = model.machines.get(stop.machineId);
    model.answered.add(`${stop.machineId}|${stop.since}`);
    if (machine?.stateSince) model.answered.add(`${stop.machineId}|${machine.stateSince}`);
    keep('answered', [...model.answered].slice(-200));
    view.notice(t('Stops.Thanks', stop.machineId, t(`StopReason.${reason}`)));
    act('stop-reason', { machineId: stop.machineId, stopSince: stop.since, stopReason: reason });
  },
  async scan(value) {
    const match = /domio:part:(\d+)/i.exec(value) ?? /^\s*(\d+)\s*$/.exec(value);
    if (!match) { view.alert(t('Scan.NotALabel')); return; }
    const partId = Number(match[1]);
    let answer;
    try { answer = await api.part(partId); } catch {
      reachable(false);
      const work = shown(model.work, model.outbox, model.machines);
      const known = work?.queue.find(o => o.partId === partId && o.state !== 'Done');
      if (known) { view.alert(''); handlers.choose(known.id); } else view.alert(t('Scan.Offline', partId));
      return;
    }
    reachable(true);
    if (answer.status === 401 || answer.status === 403) { refresh(); return; }
    if (answer.status === 404) { view.alert(t('Scan.Unknown', partId)); return; }
    if (!answer.ok || !answer.data) { view.alert(t('Error.Host', answer.status)); return; }
    const operation = normalOperation(answer.data);
    if (!model.work.queue.some(o => o.id === operation.id)) model.work.queue.push(operation);
    view.alert('');
    view.notice(t('Scan.Found', `${operation.orderNumber} · ${operation.partName}`));
    handlers.choose(operation.id);
  },
};

function retryAfter(answer) {
  const seconds = Number(answer.headers.get('retry-after')) || 60;
  return format.duration(seconds);
}

/** A keyboard-wedge scanner types into the page: keys typed outside any field go to the scan field. */
function wedge(event) {
  if (model.screen !== 'work' || event.ctrlKey || event.altKey || event.metaKey || event.key.length !== 1) return;
  const active = document.activeElement;
  if (active && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA' || active.closest('dialog'))) return;
  const scan = document.getElementById('scan');
  if (!scan) return;
  event.preventDefault();
  scan.focus();
  scan.value += event.key;
}

/** On the operator sign-in screen the badge reader types into the badge field: keep it focused. */
function keepBadgeFocus(event) {
  if (model.screen !== 'operator-sign-in') return;
  if (event.target.closest && event.target.closest('input, button, label, a')) return;
  document.getElementById('badge')?.focus();
}

async function boot() {
  try { await loadLanguage(chosenLanguage()); } catch { /* the words are in the service worker's cache once it ran */ }
  try {
    model.outbox = await pending();
    model.work = (await kept('work')) ?? null;
    model.answered = new Set((await kept('answered')) ?? []);
  } catch { /* a browser without IndexedDB (private mode) still works online */ }
  mergeMachines(model.work?.machines);
  view.bar(model, handlers);
  await refresh();
  if (!model.screen) fromKept();
  sender.send();

  addEventListener('online', () => { reachable(true); sender.now(); live.now(); refresh(); });
  addEventListener('offline', () => reachable(false));
  document.addEventListener('keydown', wedge);
  document.addEventListener('click', keepBadgeFocus);
  setInterval(render, 1000);
  setInterval(() => { if (navigator.onLine) { sender.now(); refresh(); } }, 30_000);

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/terminal/sw.js', { scope: '/terminal/' }).catch(() => { });
  }
}

boot();
