// The terminal's screens, drawn with plain DOM: terminal sign-in, operator sign-in, work, and the offline notice.
// Regions that change while the operator works (machines, current operation, queue, stop prompt) are redrawn only
// when what they show changed; the numbers that tick are updated in place.
import { h, region, text } from './dom.js';
import { t, format, currentLanguage, languages } from './strings.js';
import { counted, runSeconds, current } from './work.js';

export const staleAfterMs = 60_000;

const screen = () => document.getElementById('screen');

/** The bar at the top: work centre, network, outbox, operator, language. */
export function bar(model, on) {
  const work = model.work;
  const centre = work ? (work.workCentres ?? []).map(c => c.name).join(', ') || work.terminal?.name : '';
  region(document.getElementById('bar'), JSON.stringify([currentLanguage(), centre, work?.operator?.name ?? null, model.screen]), () => [
    h('div', { class: 'brand' }, h('span', { class: 'brand-name', text: t('Title') }), centre ? h('span', { class: 'centre', id: 'work-centre', text: centre }) : null),
    h('div', { class: 'bar-status' },
      h('span', { id: 'online', class: 'pill', role: 'status' }),
      h('span', { id: 'outbox-count', class: 'pill', role: 'status' })),
    model.screen === 'work' && work?.operator
      ? h('div', { class: 'operator' },
        h('span', { id: 'operator-name', text: t('Operator', work.operator.name) }),
        h('button', { id: 'sign-off', type: 'button', class: 'button quiet', onclick: on.signOff, text: t('SignOff') }))
      : null,
    h('div', { class: 'languages', role: 'group', 'aria-label': t('Language') },
      languages.map(l => h('button', { type: 'button', class: 'button quiet', lang: l, 'aria-pressed': String(l === currentLanguage()), onclick: () => on.language(l), text: l.toUpperCase() }))),
  ]);
  const online = document.getElementById('online');
  online.className = `pill ${model.online ? 'pill-online' : 'pill-offline'}`;
  text('#online', model.online ? t('Online') : t('Offline'));
  const waiting = document.getElementById('outbox-count');
  waiting.hidden = model.outbox.length === 0;
  waiting.dataset.count = String(model.outbox.length);
  text('#outbox-count', model.outbox.length ? t('Waiting', format.number(model.outbox.length)) : '');
}

export function alert(message) {
  text('#alert', message ?? '');
  document.getElementById('alert').hidden = !message;
}

export function notice(message) {
  text('#notice', message ?? '');
}

function show(kind, ...children) {
  const element = screen();
  element.dataset.screen = kind;
  element.replaceChildren(...children.flat().filter(Boolean));
}

export function terminalSignIn(on) {
  show('terminal-sign-in',
    h('h1', { text: t('TerminalSignIn.Title') }),
    h('p', { class: 'lead', text: t('TerminalSignIn.Text') }),
    h('form', { id: 'terminal-form', class: 'card narrow', novalidate: true, onsubmit: e => { e.preventDefault(); on.signInTerminal(document.getElementById('terminal-key').value.trim()); } },
      h('label', { for: 'terminal-key', text: t('TerminalSignIn.Key') }),
      h('input', { id: 'terminal-key', name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false' }),
      h('button', { id: 'terminal-sign-in', type: 'submit', class: 'button primary', text: t('TerminalSignIn.Submit') })));
  document.getElementById('terminal-key').focus();
}

export function operatorSignIn(model, on) {
  const pin = () => document.getElementById('pin');
  const key = value => h('button', {
    type: 'button', class: 'key', 'data-key': value,
    'aria-label': value === 'back' ? t('Keypad.Back') : value === 'clear' ? t('Keypad.Clear') : null,
    onclick: () => {
      const field = pin();
      if (value === 'back') field.value = field.value.slice(0, -1);
      else if (value === 'clear') field.value = '';
      else field.value += value;
    },
    text: value === 'back' ? '⌫' : value === 'clear' ? 'C' : format.number(Number(value)),
  });
  show('operator-sign-in',
    h('h1', { text: t('OperatorSignIn.Title') }),
    model.online ? null : h('p', { class: 'warning', text: t('OperatorSignIn.Offline') }),
    h('div', { class: 'sign-in-grid' },
      h('form', { id: 'badge-form', class: 'card', onsubmit: e => { e.preventDefault(); const field = document.getElementById('badge'); const value = field.value.trim(); field.value = ''; if (value) on.identify({ badge: value }); } },
        h('h2', { text: t('OperatorSignIn.Badge') }),
        h('label', { for: 'badge', text: t('OperatorSignIn.BadgeField') }),
        h('input', { id: 'badge', name: 'badge', type: 'password', autocomplete: 'off', inputmode: 'none' }),
        h('button', { id: 'badge-submit', type: 'submit', class: 'button primary', text: t('OperatorSignIn.BadgeSubmit') })),
      h('form', { id: 'pin-form', class: 'card', novalidate: true, onsubmit: e => { e.preventDefault(); on.identify({ userName: document.getElementById('user-name').value.trim(), pin: pin().value }); } },
        h('h2', { text: t('OperatorSignIn.Pin') }),
        h('label', { for: 'user-name', text: t('OperatorSignIn.UserName') }),
        h('input', { id: 'user-name', name: 'userName', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
        h('label', { for: 'pin', text: t('OperatorSignIn.PinField') }),
        h('input', { id: 'pin', name: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off' }),
        h('div', { class: 'keypad', role: 'group', 'aria-label': t('Keypad') }, ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'].map(key)),
        h('button', { id: 'pin-submit', type: 'submit', class: 'button primary', text: t('OperatorSignIn.PinSubmit') }))));
  document.getElementById('badge').focus();
}

export function offline(on) {
  show('offline',
    h('h1', { text: t('Offline.Title') }),
    h('p', { class: 'lead', text: t('Offline.Text') }),
    h('button', { id: 'retry', type: 'button', class: 'button primary', onclick: on.retry, text: t('Offline.Retry') }));
}

/** The work screen's frame, drawn once; work() fills it. */
export function workFrame(on) {
  show('work',
    h('h1', { id: 'work-title', class: 'work-title' }),
    h('section', { id: 'stops', class: 'stops', 'aria-label': t('Stops.Label') }),
    h('div', { class: 'work-grid' },
      h('section', { id: 'current', class: 'card current', 'aria-labelledby': 'current-title' }),
      h('div', { class: 'side' },
        h('section', { class: 'card', 'aria-labelledby': 'machines-title' },
          h('h2', { id: 'machines-title', text: t('Machines') }),
          h('ul', { id: 'machines', class: 'machines' })),
        h('form', { id: 'scan-form', class: 'card scan', onsubmit: e => { e.preventDefault(); const field = document.getElementById('scan'); const value = field.value; field.value = ''; on.scan(value); } },
          h('label', { for: 'scan', text: t('Scan.Label') }),
          h('input', { id: 'scan', name: 'scan', autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'go' }),
          h('button', { type: 'submit', id: 'scan-submit', class: 'button quiet', text: t('Scan.Submit') })),
        h('section', { class: 'card', 'aria-labelledby': 'queue-title' },
          h('h2', { id: 'queue-title', text: t('Queue') }),
          h('ol', { id: 'queue', class: 'queue' })))));
}

const stateClass = state => `state-${String(state ?? 'unknown').toLowerCase()}`;
const machineState = state => state ? t(`MachineState.${state}`) : t('MachineState.Unknown');
const operationState = state => t(`OperationState.${state}`);

export function isStale(machine, now = Date.now()) {
  return !machine.updatedAt || now - Date.parse(machine.updatedAt) > staleAfterMs;
}

/** Fills the work screen from the shown work. */
export function work(model, shown, on) {
  const now = Date.now();
  text('#work-title', (shown.workCentres ?? []).map(c => c.name).join(', ') || shown.terminal?.name || t('Title'));
  const machines = [...model.machines.values()].filter(m => (shown.machines ?? []).some(x => x.id === m.id));

  // The stop prompt: one button per reason, for each machine stopped too long without one.
  const stops = model.stops;
  const stopsElement = document.getElementById('stops');
  stopsElement.hidden = stops.length === 0;
  region(stopsElement, JSON.stringify([currentLanguage(), stops]), () => stops.map(stop =>
    h('div', { class: 'stop', role: 'group', 'aria-labelledby': `stop-${stop.machineId}` },
      h('h2', { id: `stop-${stop.machineId}`, text: t('Stops.Question', stop.machineId, format.time(stop.since)) }),
      h('div', { class: 'reasons' }, (shown.stopReasons ?? []).map(reason =>
        h('button', { type: 'button', class: 'button reason', 'data-reason': reason, onclick: () => on.stopReason(stop, reason), text: t(`StopReason.${reason}`) }))))));

  // The machines, live.
  region(document.getElementById('machines'), JSON.stringify([currentLanguage(), machines.map(m => [m.id, m.state, isStale(m, now)])]), () =>
    machines.length === 0 ? h('li', { class: 'muted', text: t('Machines.None') }) : machines.map(m =>
      h('li', { class: `machine ${stateClass(m.state)}${isStale(m, now) ? ' stale' : ''}`, 'data-machine': m.id },
        h('span', { class: 'machine-id', text: m.id }),
        h('span', { class: 'machine-state', text: machineState(m.state) }),
        h('span', { class: 'machine-count' }),
        h('span', { class: 'machine-seen' }))));
  for (const m of machines) {
    const item = document.querySelector(`#machines [data-machine="${CSS.escape(m.id)}"]`);
    if (!item) continue;
    text('.machine-count', t('Machines.Count', format.number(m.pieceCount ?? 0)), item);
    text('.machine-seen', isStale(m, now) ? t('Machines.LastSeen', m.updatedAt ? format.dateTime(m.updatedAt) : '—') : t('Machines.Since', format.time(m.stateSince)), item);
  }

  // The current operation.
  const operation = current(shown, model.chosen);
  const runningElsewhere = operation && shown.queue.find(o => o.id !== operation.id && o.state === 'Running' && o.machineId && o.machineId === (model.machineFor(operation)));
  const currentElement = document.getElementById('current');
  region(currentElement, JSON.stringify([currentLanguage(), operation && [operation.id, operation.state, operation.machineId, model.machineFor(operation), runningElsewhere?.id], machines.map(m => m.id)]), () =>
    operation ? operationView(operation, shown, machines, model, runningElsewhere, on) : [h('h2', { id: 'current-title', text: t('Current.None') }), h('p', { class: 'lead', text: t('Current.NoneText') })]);
  if (operation) {
    const live = counted(operation, model.machines);
    text('[data-value="planned"]', format.number(operation.planned), currentElement);
    text('[data-value="good"]', format.number(operation.good), currentElement);
    text('[data-value="scrap"]', format.number(operation.scrap), currentElement);
    text('[data-value="remaining"]', format.number(Math.max(0, operation.planned - operation.good)), currentElement);
    text('[data-value="counted"]', format.number(live), currentElement);
    text('[data-value="run-time"]', format.duration(runSeconds(operation)), currentElement);
  }

  // The queue: tap one to bring it to the front.
  const next = shown.queue.filter(o => o.state !== 'Done' && o.id !== operation?.id);
  region(document.getElementById('queue'), JSON.stringify([currentLanguage(), next.map(o => [o.id, o.state, o.good, o.planned])]), () =>
    next.length === 0 ? h('li', { class: 'muted', text: t('Queue.Empty') }) : next.slice(0, 12).map(o =>
      h('li', {},
        h('button', { type: 'button', class: 'queue-item', 'data-operation': o.id, onclick: () => on.choose(o.id) },
          h('span', { class: 'queue-main', text: `${o.orderNumber} · ${o.partName}` }),
          h('span', { class: 'queue-detail', text: `${t(`OperationState.${o.state}`)} · ${t('Queue.Quantity', format.number(o.good), format.number(o.planned))} · ${t('Queue.Due', format.date(o.dueDate))}` })))));
}

function fact(label, value, attributes = {}) {
  return [h('dt', { text: label }), h('dd', attributes, value ?? '—')];
}

function operationView(operation, shown, machines, model, runningElsewhere, on) {
  const edges = operation.edges ?? {};
  const edge = side => edges[side] ? edges[side] : t('Edges.None');
  const size = `${format.mm(operation.length)} × ${format.mm(operation.width)} × ${format.mm(operation.thickness)} ${t('Unit.Mm')}`;
  const machineId = model.machineFor(operation);
  const state = operation.state;
  const canStart = (state === 'Ready' || state === 'Paused') && !runningElsewhere;
  const working = state === 'Running' || state === 'Paused';
  return [
    h('div', { class: 'current-head' },
      h('h2', { id: 'current-title' }, h('span', { class: 'order', text: operation.orderNumber }), ' ', h('span', { text: operation.partName })),
      h('span', { id: 'operation-state', class: `badge op-${state.toLowerCase()}`, text: machineId && state === 'Running' ? t('Current.RunningOn', machineId) : operationState(state) })),
    h('dl', { class: 'counts' },
      ['planned', 'good', 'scrap', 'remaining', 'counted', 'run-time'].map(name =>
        h('div', { class: `count count-${name}` }, h('dt', { text: t(`Count.${name}`) }), h('dd', { 'data-value': name })))),
    machines.length > 1 && !working
      ? h('div', { class: 'machine-choice', role: 'radiogroup', 'aria-label': t('Current.Machine') }, machines.map(m =>
        h('button', { type: 'button', role: 'radio', class: 'button quiet', 'aria-checked': String(m.id === machineId), onclick: () => on.chooseMachine(operation.id, m.id), text: m.id })))
      : null,
    runningElsewhere ? h('p', { class: 'warning', text: t('Current.MachineBusy', runningElsewhere.orderNumber, runningElsewhere.partName) }) : null,
    state === 'Planned' ? h('p', { class: 'muted', text: t('Current.NotReleased') }) : null,
    h('div', { class: 'actions' },
      h('button', { id: 'start', type: 'button', class: 'button start', disabled: !canStart, onclick: () => on.start(operation) }, t('Action.Start')),
      h('button', { id: 'pause', type: 'button', class: 'button pause', disabled: state !== 'Running', onclick: () => on.pause(operation) }, t('Action.Pause')),
      h('button', { id: 'report', type: 'button', class: 'button report', disabled: !working, onclick: () => on.quantities('report', operation) }, t('Action.Report')),
      h('button', { id: 'finish', type: 'button', class: 'button finish', disabled: !working, onclick: () => on.quantities('finish', operation) }, t('Action.Finish'))),
    h('dl', { class: 'facts' },
      fact(t('Current.Customer'), operation.customer),
      fact(t('Current.Due'), format.date(operation.dueDate)),
      fact(t('Current.Size'), size),
      fact(t('Current.Material'), operation.material),
      fact(t('Current.Grain'), t(`Grain.${operation.grain ?? 'None'}`)),
      fact(t('Current.Edges'), `L1 ${edge('l1')} · L2 ${edge('l2')} · W1 ${edge('w1')} · W2 ${edge('w2')}`),
      fact(t('Current.Program'), operation.program ?? t('Current.NoProgram')),
      fact(t('Current.Step'), operation.nextWorkCentreName
        ? t('Current.StepNext', format.number(operation.step), format.number(operation.steps), operation.nextWorkCentreName)
        : t('Current.StepOf', format.number(operation.step), format.number(operation.steps)))),
  ];
}

/** The good/scrap panel of Report and Finish, as a modal dialog. */
export function quantities(kind, operation, proposed, reasons, on) {
  const dialog = document.getElementById('quantities');
  const stepper = (id, label, value) => h('div', { class: 'stepper' },
    h('label', { for: id, text: label }),
    h('div', { class: 'stepper-row' },
      h('button', { type: 'button', class: 'button quiet step', 'aria-label': t('Quantities.Less', label), onclick: () => bump(id, -1) }, '−'),
      h('input', { id, name: id, type: 'number', inputmode: 'numeric', min: '0', step: '1', value: String(value), required: true }),
      h('button', { type: 'button', class: 'button quiet step', 'aria-label': t('Quantities.More', label), onclick: () => bump(id, 1) }, '+')));
  const bump = (id, by) => {
    const field = document.getElementById(id);
    field.value = String(Math.max(0, (Number.parseInt(field.value, 10) || 0) + by));
  };
  const error = h('p', { id: 'quantities-error', class: 'error', role: 'alert' });
  const form = h('form', {
    method: 'dialog', id: 'quantities-form', novalidate: true, onsubmit: e => {
      e.preventDefault();
      const good = Number.parseInt(document.getElementById('good').value, 10);
      const scrap = Number.parseInt(document.getElementById('scrap').value, 10);
      const reason = form.querySelector('input[name="scrap-reason"]:checked')?.value ?? null;
      if (!Number.isInteger(good) || good < 0 || !Number.isInteger(scrap) || scrap < 0) { error.textContent = t('Quantities.Whole'); return; }
      if (scrap > 0 && !reason) { error.textContent = t('Quantities.ReasonRequired'); return; }
      dialog.close();
      on.submit({ good, scrap, scrapReason: scrap > 0 ? reason : null });
    },
  },
  h('h2', { id: 'quantities-title', text: kind === 'finish' ? t('Quantities.FinishTitle', `${operation.orderNumber} · ${operation.partName}`) : t('Quantities.ReportTitle', `${operation.orderNumber} · ${operation.partName}`) }),
  h('div', { class: 'steppers' }, stepper('good', t('Quantities.Good'), proposed), stepper('scrap', t('Quantities.Scrap'), 0)),
  h('fieldset', { class: 'scrap-reasons' },
    h('legend', { text: t('Quantities.Reason') }),
    reasons.map(reason => h('label', { class: 'tile' }, h('input', { type: 'radio', name: 'scrap-reason', value: reason }), h('span', { text: t(`ScrapReason.${reason}`) })))),
  error,
  h('div', { class: 'actions' },
    h('button', { id: 'quantities-submit', type: 'submit', class: `button ${kind === 'finish' ? 'finish' : 'start'}`, text: kind === 'finish' ? t('Action.Finish') : t('Action.Report') }),
    h('button', { id: 'quantities-cancel', type: 'button', class: 'button quiet', onclick: () => dialog.close(), text: t('Quantities.Cancel') })));
  dialog.setAttribute('aria-labelledby', 'quantities-title');
  dialog.replaceChildren(form);
  dialog.showModal();
  document.getElementById('good').select();
}
