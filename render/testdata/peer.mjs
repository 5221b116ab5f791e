// The Node.js peer of render's benchmarks: ECharts' own server-side SVG renderer
// and @resvg/resvg-js (native resvg) on the options Clout renders. It reads one
// JSON request per line on stdin and answers one JSON line on stdout:
//   {"op":"svg"|"png", "option":{...}, "width":1200, "height":675, "scale":1,
//    "background":"#ffffff", "fonts":["/path/DejaVuSans.ttf", ...]}
//   -> {"ms": <render time>, "bytes": <output size>} or {"error": "..."}
// The time is measured here, around the render alone, like Clout's.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';

const require = createRequire(process.cwd() + '/');
const echarts = require('echarts');
const { Resvg } = require('@resvg/resvg-js');
// The maps Clout projects (render/geo.go), written by the benchmark to
// CLOUT_GEO_DIR as <name>.json.
const geoDir = process.env.CLOUT_GEO_DIR;
for (const file of readdirSync(geoDir)) {
	if (file.endsWith('.json')) {
		echarts.registerMap(file.slice(0, -5), JSON.parse(readFileSync(geoDir + '/' + file, 'utf8')));
	}
}

function svg(req) {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: req.width, height: req.height });
	try {
		chart.setOption(req.option);
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
}

function png(req) {
	const r = new Resvg(svg(req), {
		fitTo: { mode: 'width', value: req.width * req.scale },
		background: req.background,
		font: { loadSystemFonts: false, fontFiles: req.fonts, defaultFontFamily: req.family, sansSerifFamily: req.family },
	});
	return r.render().asPng();
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
	let out;
	try {
		const req = JSON.parse(line);
		const t0 = process.hrtime.bigint();
		const b = req.op === 'png' ? png(req) : svg(req);
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		out = { ms, bytes: b.length, rss: process.memoryUsage().rss };
	} catch (e) {
		out = { error: String(e && e.stack || e) };
	}
	process.stdout.write(JSON.stringify(out) + '\n');
});
