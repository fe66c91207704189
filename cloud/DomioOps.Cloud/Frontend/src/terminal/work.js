// What the screen shows: the host's last answer of /api/terminal/work with the actions still in the outbox applied on
// top (so the operator sees an action at once, online or not), and the machines as the live hub last told them.

const seconds = (from, to) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** Pieces the machine counted for the operation, live while it runs. */
export function counted(operation, machines) {
  const machine = operation.machineId ? machines.get(operation.machineId) : null;
  if (operation.state === 'Running' && operation.counterBaseline != null && machine) {
    return (operation.countedClosed ?? 0) + Math.max(0, machine.pieceCount - operation.counterBaseline);
  }
  return operation.counted ?? 0;
}

/** Seconds the operation has run, including the current run. */
export function runSeconds(operation, now = new Date().toISOString()) {
  const current = operation.state === 'Running' && operation.runningSince ? seconds(operation.runningSince, now) : 0;
  return (operation.runSeconds ?? 0) + current;
}

/** The good count a report or finish proposes: what the machine counted beyond what was reported, never negative. */
export function proposedGood(operation, machines) {
  return Math.max(0, counted(operation, machines) - (operation.good ?? 0) - (operation.scrap ?? 0));
}

function closeRun(operation, at, machines) {
  if (operation.state !== 'Running') return;
  const total = counted(operation, machines);
  operation.runSeconds = runSeconds(operation, at);
  operation.countedClosed = total;
  operation.counted = total;
  operation.counterBaseline = null;
  operation.runningSince = null;
}

function addQuantities(operation, action) {
  operation.good = (operation.good ?? 0) + (action.good ?? 0);
  operation.scrap = (operation.scrap ?? 0) + (action.scrap ?? 0);
  operation.remaining = Math.max(0, (operation.planned ?? 0) - operation.good);
}

/** One outbox item applied to a copy of the work, as the host will apply it. */
export function apply(work, item, machines) {
  const { action, local } = item;
  if (action.kind === 'stop-reason') {
    work.openStops = work.openStops.filter(s => s.machineId !== action.machineId);
    return;
  }
  const operation = work.queue.find(o => o.id === action.operationId);
  if (!operation || operation.state === 'Done') return;
  switch (action.kind) {
    case 'start':
      operation.state = 'Running';
      operation.machineId = action.machineId ?? operation.machineId;
      operation.runningSince = action.at;
      operation.countedClosed = operation.counted ?? 0;
      operation.counterBaseline = local?.baseline ?? null;
      break;
    case 'pause':
      closeRun(operation, action.at, machines);
      operation.state = 'Paused';
      break;
    case 'report':
      addQuantities(operation, action);
      break;
    case 'finish':
      closeRun(operation, action.at, machines);
      addQuantities(operation, action);
      operation.state = 'Done';
      break;
    default:
      break;
  }
}

/** The work as shown: the host's answer and the outbox on top of it. */
export function shown(work, outbox, machines) {
  if (!work) return null;
  const copy = structuredClone(work);
  copy.queue = copy.queue ?? [];
  copy.openStops = copy.openStops ?? [];
  for (const item of outbox) apply(copy, item, machines);
  return copy;
}

const order = { Running: 0, Paused: 1, Ready: 2, Planned: 3, Done: 4 };

/** The operation in front of the operator: the one they chose, else the running, paused, then first ready one. */
export function current(work, chosenId) {
  const open = work.queue.filter(o => o.state !== 'Done');
  const chosen = open.find(o => o.id === chosenId);
  if (chosen) return chosen;
  return [...open].sort((a, b) => order[a.state] - order[b.state])[0] ?? null;
}

/** The machines that need a stop reason now: the host's open stops, and (while it cannot tell) the ones this screen sees stopped too long. */
export function stopsToExplain(work, machines, answered, now = Date.now()) {
  const stops = new Map();
  for (const stop of work.openStops ?? []) stops.set(stop.machineId, stop);
  const threshold = (work.stopReasonAfterSeconds ?? 120) * 1000;
  for (const machine of machines.values()) {
    // A machine not heard of for a minute is in an unknown state: only the host can say it stopped.
    if (stops.has(machine.id) || !machine.state || machine.state === 'Working' || !machine.stateSince) continue;
    if (!machine.updatedAt || now - Date.parse(machine.updatedAt) > 60_000) continue;
    if (now - Date.parse(machine.stateSince) < threshold) continue;
    stops.set(machine.id, { machineId: machine.id, since: machine.stateSince });
  }
  return [...stops.values()].filter(s => !answered.has(`${s.machineId}|${s.since}`));
}

const operationStates = ['Planned', 'Ready', 'Running', 'Paused', 'Done'];
const grains = ['None', 'Length', 'Width'];

/** States and grain by name, whether the host writes its enumerations as names or as numbers. */
export function normalOperation(operation) {
  if (operation && typeof operation.state === 'number') operation.state = operationStates[operation.state] ?? 'Planned';
  if (operation && typeof operation.grain === 'number') operation.grain = grains[operation.grain] ?? 'None';
  return operation;
}

export function normalWork(work) {
  for (const operation of work.queue ?? []) normalOperation(operation);
  return work;
}
