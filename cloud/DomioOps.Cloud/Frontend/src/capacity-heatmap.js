// The planner's load heat map: load as a share of capacity per work centre (rows) and day (columns), drawn with ECharts
// (core, heat map, grid, tooltip, visual map, canvas). The page (Planning/Pages/Capacity.razor, static) writes the data
// into <div class="capacity-heatmap" data-spec="{json}"> with the same numbers as a table beside it; this module, loaded
// by that page alone, draws it.
//
// spec: { days: [...], centres: [...], cells: [[dayIndex, centreIndex, share|null, loadHours, capacityHours]],
//         labels: { load, capacity, none, under, full, over } }
// For tests: the element gets data-state="ready" (or "error") and its echartsOption property holds the option drawn.
import * as echarts from 'echarts/core';
import { HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

const Axis = '#4a5360';

function draw(element, locale) {
  try {
    const spec = JSON.parse(element.dataset.spec);
    const share = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    const hours = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    const labels = spec.labels;
    const option = {
      animation: false,
      textStyle: { fontFamily: 'system-ui, sans-serif', color: Axis },
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      tooltip: {
        confine: true,
        formatter: p => {
          const [day, centre, value, load, capacity] = p.data;
          const ratio = value === null ? labels.none : share.format(value);
          return `${spec.centres[centre]} · ${spec.days[day]}<br>${ratio}<br>${labels.load}: ${hours.format(load)} h · ${labels.capacity}: ${hours.format(capacity)} h`;
        },
      },
      xAxis: { type: 'category', data: spec.days, axisLabel: { color: Axis, hideOverlap: true }, splitArea: { show: true } },
      yAxis: { type: 'category', data: spec.centres, axisLabel: { color: Axis }, inverse: true, splitArea: { show: true } },
      // Pieces rather than a gradient: a planner reads "under", "full" and "over" at a glance, and each has a label.
      visualMap: {
        type: 'piecewise',
        dimension: 2,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        textStyle: { color: Axis },
        pieces: [
          { lt: 0.7, label: labels.under, color: '#cfe3f4' },
          { gte: 0.7, lte: 1, label: labels.full, color: '#f6c667' },
          { gt: 1, label: labels.over, color: '#c0392b' },
        ],
        outOfRange: { color: '#eeeeee' },
      },
      series: [{
        type: 'heatmap',
        data: spec.cells,
        label: {
          show: true,
          color: '#1b1f24',
          formatter: p => (p.data[2] === null ? '—' : share.format(p.data[2])),
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
      }],
    };
    const chart = echarts.init(element, null, { renderer: 'canvas' });
    chart.setOption(option);
    element.echartsOption = option;
    element.dataset.state = 'ready';
    new ResizeObserver(() => chart.resize()).observe(element);
  } catch (error) {
    console.error('capacity heat map', error);
    element.dataset.state = 'error';
  }
}

for (const element of document.querySelectorAll('.capacity-heatmap[data-spec]')) {
  draw(element, element.dataset.locale || document.documentElement.lang || 'en');
}
