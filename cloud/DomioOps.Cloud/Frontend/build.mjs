// Bundles every module of src/ (ES modules, minified) into ../wwwroot/dist, with the CSS of the packages they use.
// No CDN: the factory's browsers load everything from the cloud host.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const out = '../wwwroot/dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const entryPoints = readdirSync('src').filter(f => f.endsWith('.js')).map(f => `src/${f}`);
await build({ entryPoints, bundle: true, format: 'esm', minify: true, target: 'es2020', outdir: out, logLevel: 'warning' });
copyFileSync('node_modules/uplot/dist/uPlot.min.css', `${out}/uplot.css`);
console.log(`frontend: ${entryPoints.length} module(s) bundled into ${out}`);
