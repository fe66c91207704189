// Bundles every module of src/ (ES modules, minified) into ../wwwroot/dist, with the CSS of the packages they use.
// No CDN: the factory's browsers load everything from the cloud host.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const out = '../wwwroot/dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const entryPoints = readdirSync('src').filter(f => f.endsWith('.js')).map(f => `src/${f}`);
await build({ entryPoints, bundle: true, format: 'esm', minify: true, target: 'es2020', outdir: out, logLevel: 'warning' });
copyFileSync('node_modules/uplot/dist/uPlot.min.css', `${out}/uplot.css`);
copyFileSync('node_modules/vis-timeline/styles/vis-timeline-graph2d.min.css', `${out}/vis-timeline.css`);

// The terminal's service worker caches its shell under a name made of the shell's contents: a change of any file is
// a new cache (the worker imports this file, and a browser checks imported scripts for updates too).
const terminal = '../wwwroot/terminal';
const hash = createHash('sha256');
for (const file of [`${out}/terminal.js`, ...readdirSync(terminal).sort().map(f => `${terminal}/${f}`)]) {
  hash.update(file).update(readFileSync(file));
}
writeFileSync(`${out}/terminal-version.js`, `self.terminalVersion = '${hash.digest('hex').slice(0, 16)}';\n`);
console.log(`frontend: ${entryPoints.length} module(s) bundled into ${out}`);
