'use strict';
// Times the cocossd node in Node-RED (test helper) against a real visiond on the 1280×1280
// airplane photo, for each annotated format, beside the nodes' HTTP client alone posting the
// same photo to /v1/detect. Rounds alternate the paths, each round starting with another,
// so that the machine's other load and what one path leaves behind hit them alike.
// Usage: node bench.js [ROUNDS] (make node-red-bench).

const fs = require('fs');
const helper = require('node-red-node-test-helper');
const { NODE_RED, image, startVisiond, stop } = require('./daemon');
const { load } = require('./flow');
const { call, resolveServer } = require('../nodes/client');

helper.init(require.resolve(NODE_RED));

const ROUNDS = Math.max(1, Math.min(1000, Number(process.argv[2]) || 30));
const photo = fs.readFileSync(image('airplane_airport_1280.jpg'));

function summary(times) {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms`;
}

async function main() {
    const daemon = await startVisiond(['--mqtt=false', '--models', 'coco-ssd']);
    process.env.VISIOND_URL = daemon.url;
    const paths = {};
    try {
        const server = resolveServer({ util: { getSetting: (node, name) => process.env[name] } }, null, null);
        const signal = new AbortController().signal;
        paths['POST /v1/detect, HTTP client alone (no Node-RED, no annotation)'] = () =>
            call(server, { route: '/v1/detect', body: photo }, signal);
        for (const format of ['none', 'jpeg', 'png']) {
            paths[`cocossd node, annotated ${format}`] = format;
        }
        const times = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
        for (let round = 0; round <= ROUNDS; round++) {
            // Each round starts with another path, so that no path always follows the same one.
            const entries = Object.entries(paths);
            const order = entries.slice(round % entries.length).concat(entries.slice(0, round % entries.length));
            for (const [name, path] of order) {
                let t0;
                if (typeof path === 'function') {
                    t0 = process.hrtime.bigint();
                    await path();
                } else {
                    const f = await load({ type: 'cocossd', format: path });
                    t0 = process.hrtime.bigint();
                    f.n1.receive({ payload: photo });
                    await f.next();
                    await helper.unload();
                }
                if (round > 0) {
                    // Round 0 warms every path up and is not counted.
                    times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
                }
            }
        }
        console.log(`${ROUNDS} rounds, airplane_airport_1280.jpg, visiond ${daemon.url}:`);
        for (const [name, t] of Object.entries(times)) {
            console.log(`  ${name}: ${summary(t)}`);
        }
    } finally {
        await stop(daemon.child);
    }
}

main().catch((err) => {
    console.error('node-red-bench:', err.message);
    process.exit(1);
});
