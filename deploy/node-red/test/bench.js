'use strict';
// Times the nodes in Node-RED (test helper) against a real visiond on the 1280×1280 airplane
// photo: the cocossd node for each annotated format, and the generic visiond node posting the
// same photo to /v1/detect, whose answer carries visiond's own times, so that what the HTTP
// exchange and Node-RED add shows. Each round runs every path once, in a shuffled order, so
// that the machine's other load and what one path leaves behind in visiond (an annotated PNG
// leaves work for the garbage collector) hit them alike.
// Usage: node bench.js [ROUNDS] (make node-red-bench).

const fs = require('fs');
const helper = require('node-red-node-test-helper');
const { NODE_RED, image, startVisiond, stop } = require('./daemon');
const { load } = require('./flow');

helper.init(require.resolve(NODE_RED));

const ROUNDS = Math.max(1, Math.min(1000, Number(process.argv[2]) || 30));
const photo = fs.readFileSync(image('airplane_airport_1280.jpg'));

const PATHS = {
    'visiond node, POST /v1/detect': { type: 'visiond', route: '/v1/detect' },
    'cocossd node, annotated none': { type: 'cocossd', format: 'none' },
    'cocossd node, annotated jpeg': { type: 'cocossd', format: 'jpeg' },
    'cocossd node, annotated png': { type: 'cocossd', format: 'png' },
};

let seed = 1;

/** shuffled returns a copy of list in a pseudo-random order, the same in every run. */
function shuffled(list) {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const j = seed % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
    const daemon = await startVisiond(['--mqtt=false', '--models', 'coco-ssd']);
    process.env.VISIOND_URL = daemon.url;
    const times = Object.fromEntries(Object.keys(PATHS).map((k) => [k, []]));
    const inVisiond = [];
    try {
        const entries = Object.entries(PATHS);
        for (let round = 0; round <= ROUNDS; round++) {
            const order = shuffled(entries);
            for (const [name, node] of order) {
                const f = await load(node);
                // A pause, so that no request starts while the last one's work ends.
                await new Promise((resolve) => setTimeout(resolve, 100));
                const t0 = process.hrtime.bigint();
                f.n1.receive({ payload: photo });
                const msg = await f.next();
                const ms = Number(process.hrtime.bigint() - t0) / 1e6;
                await helper.unload();
                if (round === 0) {
                    continue; // round 0 warms every path up
                }
                times[name].push(ms);
                if (node.type === 'visiond') {
                    inVisiond.push(Object.values(msg.payload.timings_ms).reduce((a, b) => a + b, 0));
                }
            }
        }
        console.log(`${ROUNDS} rounds, airplane_airport_1280.jpg, medians of the round trip from input to output:`);
        for (const [name, t] of Object.entries(times)) {
            console.log(`  ${name}: ${median(t).toFixed(1)} ms`);
        }
        const overhead = times['visiond node, POST /v1/detect'].map((t, i) => t - inVisiond[i]);
        console.log(`  of which visiond's own stages (timings_ms): ${median(inVisiond).toFixed(1)} ms;` +
            ` HTTP and Node-RED: ${median(overhead).toFixed(1)} ms`);
    } finally {
        await stop(daemon.child);
    }
}

main().catch((err) => {
    console.error('node-red-bench:', err.message);
    process.exit(1);
});
