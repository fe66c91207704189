// The trend chart of a machine's signal (uPlot). Filled in by the machine detail page.
import uPlot from 'uplot';

export function version() {
  return typeof uPlot === 'function' ? 'uplot' : '';
}
