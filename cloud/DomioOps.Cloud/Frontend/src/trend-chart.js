// The trend chart of a machine's signal, drawn with uPlot from the history API
// (GET /api/machines/{id}/history?signal=&from=&to=&points=, same origin, the session's cookie). The machine's page
// (Machines/Pages/TrendChart.razor) creates it in an empty element and says what to show; the chart fetches, draws raw
// samples as a line and aggregated buckets as a min–max band around the average, zooms to a range dragged across it
// (fetching that range again, so it gets finer points), pans and zooms by the page's buttons, and says in words what
// it shows (a summary, and the points as a table) for those who cannot see it.
//
// For tests: the element carries data-state (loading, ready, error) and data-query (the query string of the points
// drawn), and its trendData property holds exactly the arrays handed to uPlot.
import uPlot from 'uplot';

const Height = 300;
const MinPoints = 50;
const MaxPoints = 1500;
const MinRange = 10_000;
const MaxRange = 30 * 86_400_000;
const Ink = '#1f4e79';
const Faint = 'rgba(31, 78, 121, 0.45)';
const Band = 'rgba(31, 78, 121, 0.16)';

let stylesheet = null;

// uPlot's few styles, fetched with the chart rather than blocking the page's first paint.
function addStylesheet() {
  if (stylesheet === null) {
    stylesheet = document.createElement('link');
    stylesheet.rel = 'stylesheet';
    stylesheet.href = new URL('./uplot.css', import.meta.url).href;
    document.head.appendChild(stylesheet);
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function fill(template, ...values) {
  return template.replace(/\{(\d+)\}/g, (match, index) => values[Number(index)] ?? match);
}

export function create(host, options) {
  return new TrendChart(host, options);
}

class TrendChart {
  constructor(host, options) {
    addStylesheet();
    this.host = host;
    this.labels = options.labels;
    this.locale = options.locale;
    this.timeZone = options.timeZone;
    this.generation = 0;
    this.chart = null;
    this.series = null;
    this.formats = new Map();

    host.replaceChildren();
    this.caption = element('p', 'trend-range');
    this.caption.setAttribute('aria-live', 'polite');
    this.plot = element('div', 'trend-plot');
    this.plot.setAttribute('role', 'img');
    this.plot.setAttribute('aria-label', this.labels.chart);
    this.summary = element('p', 'trend-summary');
    this.summary.id = `${host.id || 'trend'}-summary`;
    this.plot.setAttribute('aria-describedby', this.summary.id);
    this.details = element('details', 'trend-table');
    this.tableBox = element('div', 'table-scroll');
    this.tableBox.tabIndex = 0;
    this.tableBox.setAttribute('role', 'region');
    this.tableBox.setAttribute('aria-label', this.labels.table);
    this.details.append(element('summary', '', this.labels.table), this.tableBox);
    this.details.addEventListener('toggle', () => this.renderTable());
    host.append(this.caption, this.plot, this.summary, this.details);

    this.resizing = new ResizeObserver(() => this.fit());
    this.resizing.observe(this.plot);
  }

  /** What to show: { machine, signal, name, unit, decimals, from, to, now } (times in Unix milliseconds, the server's clock). */
  show(what) {
    this.what = what;
    this.skew = what.now - Date.now();
    this.number = new Intl.NumberFormat(this.locale, { minimumFractionDigits: what.decimals, maximumFractionDigits: what.decimals });
    return this.load(what.from, what.to);
  }

  /** Earlier (-1) or later (+1) by the width of the range shown; never past now. */
  pan(direction) {
    if (!this.what) {
      return undefined;
    }
    const width = this.to - this.from;
    return this.load(this.from + (direction * width), this.to + (direction * width));
  }

  /** A range <factor> times as wide around the same middle (0.5 zooms in, 2 out). */
  zoom(factor) {
    if (!this.what) {
      return undefined;
    }
    const middle = (this.from + this.to) / 2;
    const width = Math.min(MaxRange, Math.max(MinRange, (this.to - this.from) * factor));
    return this.load(middle - (width / 2), middle + (width / 2));
  }

  dispose() {
    this.generation++;
    this.resizing.disconnect();
    this.chart?.destroy();
    this.chart = null;
    this.host.replaceChildren();
    delete this.host.trendData;
  }

  async load(from, to) {
    const now = Date.now() + this.skew;
    let [start, end] = [Math.round(from), Math.round(to)];
    if (end - start < MinRange) {
      end = start + MinRange;
    }
    if (end > now) {
      [start, end] = [start - (end - now), now];
    }
    [this.from, this.to] = [start, end];

    const generation = ++this.generation;
    const points = Math.max(MinPoints, Math.min(MaxPoints, Math.round(this.plot.clientWidth || 600)));
    const query = new URLSearchParams({
      signal: this.what.signal,
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      points: String(points),
    }).toString();
    this.host.dataset.query = query;
    this.host.dataset.state = 'loading';
    this.caption.textContent = `${this.range()} · ${this.labels.loading}`;

    let series;
    try {
      const response = await fetch(`/api/machines/${encodeURIComponent(this.what.machine)}/history?${query}`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        throw new Error(`${response.status}`);
      }
      series = await response.json();
    } catch {
      if (generation === this.generation) {
        this.host.dataset.state = 'error';
        this.caption.textContent = `${this.range()} · ${this.labels.failed}`;
      }
      return;
    }

    // A newer request (another click, another drag) has the last word.
    if (generation !== this.generation) {
      return;
    }
    try {
      this.draw(series, query);
      this.host.dataset.state = 'ready';
    } catch (error) {
      console.error('trend chart', error);
      this.host.dataset.state = 'error';
      this.caption.textContent = `${this.range()} · ${this.labels.failed}`;
    }
  }

  draw(series, query) {
    const raw = series.resolution === 'raw';
    const points = series.points;
    const x = points.map(p => Date.parse(p.time) / 1000);
    const data = raw
      ? [x, points.map(p => p.avg)]
      : [x, points.map(p => p.min), points.map(p => p.avg), points.map(p => p.max)];
    this.series = { raw, points, bucketSeconds: series.bucketSeconds };
    this.host.trendData = { query, resolution: series.resolution, bucketSeconds: series.bucketSeconds, data };

    this.chart?.destroy();
    this.chart = new uPlot(this.options(raw, x.length), data, this.plot);

    const resolution = raw ? this.labels.raw : fill(this.labels.buckets, this.width(series.bucketSeconds ?? 0));
    this.caption.textContent = `${this.range()} · ${resolution}`;
    this.summary.textContent = this.describe();
    this.renderTable();
  }

  options(raw, count) {
    const name = this.what.name;
    const unit = this.what.unit;
    const series = raw
      ? [{}, { label: name, stroke: Ink, width: 1.5, points: { show: count <= 120 } }]
      : [
        {},
        { label: this.labels.min, stroke: Faint, width: 1 },
        { label: this.labels.avg, stroke: Ink, width: 1.5 },
        { label: this.labels.max, stroke: Faint, width: 1 },
      ];
    return {
      width: this.plot.clientWidth || 600,
      height: this.height(),
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: true, range: () => [this.from / 1000, this.to / 1000] } },
      axes: [
        {
          stroke: '#4a5360',
          grid: { stroke: '#e3e6ea' },
          space: () => (this.to - this.from > 86_400_000 ? 110 : 60),
          values: (u, splits, axis, space, increment) => splits.map(s => this.tick(s, increment)),
        },
        {
          stroke: '#4a5360',
          grid: { stroke: '#e3e6ea' },
          size: 64,
          label: unit,
          values: (u, splits) => splits.map(v => this.number.format(v)),
        },
      ],
      series,
      bands: raw ? [] : [{ series: [3, 1], fill: Band }],
      hooks: { setSelect: [u => this.selected(u)] },
    };
  }

  // A range dragged across the chart: fetch it, with points as fine as the history has.
  selected(u) {
    const { left, width } = u.select;
    if (width < 4) {
      return;
    }
    const from = u.posToVal(left, 'x') * 1000;
    const to = u.posToVal(left + width, 'x') * 1000;
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.load(from, to);
  }

  fit() {
    this.chart?.setSize({ width: this.plot.clientWidth, height: this.height() });
  }

  height() {
    return Math.max(200, Math.min(Height, Math.round((this.plot.clientWidth || 600) * 0.6)));
  }

  format(options) {
    const key = JSON.stringify(options);
    if (!this.formats.has(key)) {
      this.formats.set(key, new Intl.DateTimeFormat(this.locale, { ...options, timeZone: this.timeZone }));
    }
    return this.formats.get(key);
  }

  tick(seconds, increment) {
    const date = new Date(seconds * 1000);
    if (increment >= 86_400) {
      return this.format({ day: 'numeric', month: 'short' }).format(date);
    }
    if (this.to - this.from > 86_400_000) {
      return this.format({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
    }
    return this.format(increment < 60 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' }).format(date);
  }

  time(ms) {
    return this.format({ dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
  }

  range() {
    return `${this.time(this.from)} – ${this.time(this.to)}`;
  }

  width(seconds) {
    if (seconds >= 3600) {
      return fill(this.labels.hours, this.short(seconds / 3600));
    }
    if (seconds >= 60) {
      return fill(this.labels.minutes, this.short(seconds / 60));
    }
    return fill(this.labels.seconds, this.short(seconds));
  }

  short(value) {
    return new Intl.NumberFormat(this.locale, { maximumFractionDigits: 3 }).format(value);
  }

  value(v) {
    return this.what.unit ? `${this.number.format(v)} ${this.what.unit}` : this.number.format(v);
  }

  describe() {
    const { points, raw } = this.series;
    const from = this.time(this.from);
    const to = this.time(this.to);
    if (points.length === 0) {
      return fill(this.labels.empty, this.what.name, from, to);
    }
    const lowest = Math.min(...points.map(p => (raw ? p.avg : p.min)));
    const highest = Math.max(...points.map(p => (raw ? p.avg : p.max)));
    const last = points[points.length - 1].last;
    return fill(this.labels.summary, this.what.name, from, to, String(points.length), this.value(lowest), this.value(highest), this.value(last));
  }

  // The points as a table, built only while it is open.
  renderTable() {
    if (!this.details.open || !this.series) {
      this.tableBox.replaceChildren();
      return;
    }
    const { points, raw } = this.series;
    const table = element('table');
    const head = element('tr');
    const columns = raw ? [this.labels.time, this.labels.value] : [this.labels.time, this.labels.min, this.labels.avg, this.labels.max];
    for (const column of columns) {
      const th = element('th', '', column);
      th.scope = 'col';
      head.append(th);
    }
    table.append(element('thead'), element('tbody'));
    table.tHead.append(head);
    const body = table.tBodies[0];
    for (const p of points) {
      const row = element('tr');
      const time = element('th', '', this.time(Date.parse(p.time)));
      time.scope = 'row';
      row.append(time);
      for (const v of raw ? [p.avg] : [p.min, p.avg, p.max]) {
        row.append(element('td', 'number', this.value(v)));
      }
      body.append(row);
    }
    this.tableBox.replaceChildren(table);
  }
}
