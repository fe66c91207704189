// The OEE dashboard's charts, drawn with ECharts (imported piece by piece: core, bar and line charts, the grid, tooltip and
// legend, the canvas renderer). The page (Oee/Pages/Dashboard.razor, static) writes each chart's data into an element
// <div class="oee-chart" data-chart="lines|bars|pareto" data-spec="{json}">, with its accessible name and a table of the
// same numbers beside it; this module, loaded by that page alone, draws every such element once the document is parsed.
//
// spec: { categories: [...], series: [{ name, values: [...] }], percent: bool, unit: "min", cumulative: "Cumulative" }
// For tests: each element gets data-state="ready" (or "error") and its echartsOption property holds the option drawn.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// Colours of the application's palette (wwwroot/app.css), distinguishable in grey too.
const Palette = ['#1f4e79', '#b35c00', '#2e7d32', '#6a1b9a', '#8c2f39', '#00695c'];
const Axis = '#4a5360';
const Grid = '#e3e6ea';

function percent(locale) {
  const format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return v => (v === null || v === undefined ? '—' : format.format(v));
}

function number(locale, unit) {
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return v => (v === null || v === undefined ? '—' : unit ? `${format.format(v)} ${unit}` : format.format(v));
}

function base(spec, locale) {
  // Names (reasons, machines) rather than periods: every one shown, slanted when there are many.
  const names = spec.names && spec.categories.length > 3;
  return {
    animation: false,
    color: Palette,
    textStyle: { fontFamily: 'system-ui, sans-serif', color: Axis },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, type: 'plain' },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: {
      type: 'category',
      data: spec.categories,
      axisLine: { lineStyle: { color: Axis } },
      axisLabel: names ? { color: Axis, interval: 0, rotate: 30 } : { color: Axis, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      splitLine: { lineStyle: { color: Grid } },
      axisLabel: { color: Axis, formatter: spec.percent ? percent(locale) : number(locale) },
      ...(spec.percent ? { min: 0, max: 1 } : {}),
    },
  };
}

/** OEE and its factors over periods: one line per series (values 0..1, null where not computable). */
function lines(spec, locale) {
  const option = base(spec, locale);
  const format = spec.percent ? percent(locale) : number(locale, spec.unit);
  option.tooltip.valueFormatter = format;
  option.series = spec.series.map(s => ({ name: s.name, type: 'line', data: s.values, connectNulls: false, symbolSize: 6 }));
  return option;
}

/** A × P × Q (and OEE) side by side per category. */
function bars(spec, locale) {
  const option = base(spec, locale);
  const format = spec.percent ? percent(locale) : number(locale, spec.unit);
  option.tooltip.valueFormatter = format;
  option.series = spec.series.map(s => ({ name: s.name, type: 'bar', data: s.values, barMaxWidth: 28 }));
  if (spec.series.length === 1) {
    option.legend.show = false;
    option.grid.top = 16;
  }
  return option;
}

/** A Pareto: bars in descending order and the cumulative share as a line on a second axis (0–100 %). */
function pareto(spec, locale) {
  const option = base(spec, locale);
  const values = spec.series[0].values;
  const total = values.reduce((sum, v) => sum + (v ?? 0), 0);
  let running = 0;
  const cumulative = values.map(v => {
    running += v ?? 0;
    return total > 0 ? running / total : null;
  });
  const amount = number(locale, spec.unit);
  const share = percent(locale);
  option.yAxis = [
    { ...option.yAxis, axisLabel: { color: Axis, formatter: number(locale) }, name: spec.unit, nameTextStyle: { color: Axis } },
    { type: 'value', min: 0, max: 1, splitLine: { show: false }, axisLabel: { color: Axis, formatter: share } },
  ];
  option.series = [
    { name: spec.series[0].name, type: 'bar', data: values, barMaxWidth: 40, tooltip: { valueFormatter: amount } },
    { name: spec.cumulative, type: 'line', yAxisIndex: 1, data: cumulative, symbolSize: 6, color: Palette[1], tooltip: { valueFormatter: share } },
  ];
  return option;
}

const Kinds = { lines, bars: (spec, locale) => bars({ ...spec, names: true }, locale), pareto: (spec, locale) => pareto({ ...spec, names: true }, locale) };

function draw(element, locale) {
  try {
    const spec = JSON.parse(element.dataset.spec);
    const option = Kinds[element.dataset.chart](spec, locale);
    const chart = echarts.init(element, null, { renderer: 'canvas' });
    chart.setOption(option);
    element.echartsOption = option;
    element.dataset.state = 'ready';
    new ResizeObserver(() => chart.resize()).observe(element);
  } catch (error) {
    console.error('oee chart', error);
    element.dataset.state = 'error';
  }
}

export function drawAll(root = document) {
  const locale = document.documentElement.lang || 'en';
  for (const element of root.querySelectorAll('.oee-chart[data-spec]')) {
    if (!element.dataset.state) {
      draw(element, element.dataset.locale || locale);
    }
  }
}

drawAll();
