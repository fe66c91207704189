// The planner's schedule board, drawn with vis-timeline: a lane per work centre, a row per machine inside it (nested
// groups), an item per scheduled operation. The page (Planning/Pages/Board.razor, Interactive Server) creates it in an
// empty element and hands it the schedule; dragging an operation along its work centre or onto another machine of the
// same work centre does not move it here: the board puts it back and asks the page (`PreviewMoveAsync(operationId,
// position, machineId)`), which shows the consequences and, when applied, hands the board the new schedule.
//
// For tests: the element carries data-state (ready, error), data-version (the schedule drawn) and data-last-drop
// (operation:position:machine of the last drop); each item's element has the class op-id-<operation id>.
import { Timeline } from 'vis-timeline/peer';
import { DataSet } from 'vis-data/peer';
import moment from 'moment';
import 'moment/locale/ru';

let stylesheet = null;

// vis-timeline's styles, fetched with the board rather than blocking the page's first paint.
function addStylesheet() {
  if (stylesheet === null) {
    stylesheet = document.createElement('link');
    stylesheet.rel = 'stylesheet';
    stylesheet.href = new URL('./vis-timeline.css', import.meta.url).href;
    document.head.appendChild(stylesheet);
  }
}

function text(value) {
  const span = document.createElement('span');
  span.textContent = value;
  return span;
}

export function create(host, page, options) {
  return new ScheduleBoard(host, page, options);
}

class ScheduleBoard {
  constructor(host, page, options) {
    addStylesheet();
    this.host = host;
    this.page = page;
    this.options = options;
    this.groups = new DataSet();
    this.items = new DataSet();
    this.centreOf = new Map();
    this.version = null;
    const offset = options.offsetMinutes;
    moment.locale(options.locale.startsWith('ru') ? 'ru' : 'en');
    host.replaceChildren();
    this.timeline = new Timeline(host, this.items, this.groups, {
      locale: options.locale.startsWith('ru') ? 'ru' : 'en',
      moment: date => moment(date).utcOffset(offset),
      stack: false,
      orientation: { axis: 'top' },
      margin: { item: { horizontal: 0, vertical: 6 } },
      zoomKey: 'ctrlKey',
      horizontalScroll: true,
      verticalScroll: false,
      groupHeightMode: 'auto',
      editable: { updateTime: true, updateGroup: true, add: false, remove: false, overrideItems: false },
      itemsAlwaysDraggable: { item: true, range: true },
      snap: null,
      tooltip: { followMouse: false, overflowMethod: 'cap' },
      xss: { disabled: false },
      // Only along the work centre's own machines: a drag onto another work centre's row stays in its own.
      onMoving: (item, callback) => {
        const was = this.items.get(item.id);
        if (!this.sameCentre(was.group, item.group) || this.isCentreHeader(item.group, was.group)) {
          item.group = was.group;
        }
        callback(item);
      },
      // A drop: nothing moves until the planner has seen what it would do and applied it.
      onMove: (item, callback) => {
        const was = this.items.get(item.id);
        callback(null);
        if (!this.sameCentre(was.group, item.group)) {
          return;
        }
        const machine = this.machineOf(item.group);
        const position = this.position(item.id, was.group, new Date(item.start).getTime());
        this.host.dataset.lastDrop = `${item.id}:${position}:${machine ?? ''}`;
        this.page.invokeMethodAsync('PreviewMoveAsync', Number(item.id), position, machine);
      },
    });
    host.dataset.state = 'ready';
  }

  /** The schedule: { version, from, to, centres: [{ id, name, machines: [{ id, label, state }] }], operations: [...], moved: [ids] }. */
  show(schedule) {
    try {
      const groups = [];
      this.centreOf.clear();
      for (const centre of schedule.centres) {
        const machines = centre.machines.map(m => `m:${m.id}`);
        groups.push({ id: `c:${centre.id}`, content: text(centre.name), nestedGroups: machines.length ? machines : undefined, showNested: true, className: 'board-centre' });
        this.centreOf.set(`c:${centre.id}`, centre.id);
        for (const machine of centre.machines) {
          groups.push({ id: `m:${machine.id}`, content: this.machineLabel(machine), className: `board-machine state-${machine.state ?? 'unknown'}`, treeLevel: 2 });
          this.centreOf.set(`m:${machine.id}`, centre.id);
        }
      }
      const moved = new Set(schedule.moved ?? []);
      const items = schedule.operations.map(op => ({
        id: op.id,
        group: op.machine ? `m:${op.machine}` : `c:${op.centre}`,
        start: op.start,
        end: op.end,
        content: text(op.label),
        title: op.title,
        className: `op-${op.state} op-id-${op.id}${moved.has(op.id) ? ' moved' : ''}`,
      }));
      this.groups.update(groups);
      this.groups.remove(this.groups.getIds().filter(id => !groups.some(g => g.id === id)));
      this.items.clear();
      this.items.add(items);
      if (this.version === null) {
        this.timeline.setWindow(schedule.from, schedule.to, { animation: false });
      }
      this.version = schedule.version;
      this.host.dataset.version = String(schedule.version);
      this.host.dataset.state = 'ready';
    } catch (error) {
      console.error('schedule board', error);
      this.host.dataset.state = 'error';
    }
  }

  /** The live state beside each machine's row: { machineId: { label, state } }. */
  states(machines) {
    const updates = [];
    for (const [id, machine] of Object.entries(machines)) {
      if (this.groups.get(`m:${id}`)) {
        updates.push({ id: `m:${id}`, content: this.machineLabel({ id, ...machine }), className: `board-machine state-${machine.state ?? 'unknown'}` });
      }
    }
    this.groups.update(updates);
  }

  dispose() {
    this.timeline.destroy();
    this.host.replaceChildren();
  }

  machineLabel(machine) {
    const label = document.createElement('span');
    label.className = 'board-machine-label';
    const name = text(machine.id);
    name.className = 'board-machine-name';
    const state = text(machine.label ?? '');
    state.className = 'board-machine-state';
    state.dataset.state = machine.state ?? 'unknown';
    label.append(name, state);
    return label;
  }

  sameCentre(a, b) {
    return this.centreOf.get(a) !== undefined && this.centreOf.get(a) === this.centreOf.get(b);
  }

  // A work centre's own row when it has machine rows: not a place to drop on.
  isCentreHeader(group, original) {
    return group !== original && group.startsWith('c:') && this.groups.get(group)?.nestedGroups;
  }

  machineOf(group) {
    return group.startsWith('m:') ? group.slice(2) : null;
  }

  /** The place in its work centre's sequence an operation dropped at <start> takes: after every other one starting earlier. */
  position(id, group, start) {
    const centre = this.centreOf.get(group);
    return this.items.get({ filter: i => i.id !== id && this.centreOf.get(i.group) === centre })
      .filter(i => new Date(i.start).getTime() < start).length;
  }
}
