'use strict';
// Node tests in Node-RED's test helper: load one node under test wired to an
// output collector and a Catch node, send it messages, and wait (bounded) for what comes out.

const assert = require('assert');
const helper = require('node-red-node-test-helper');
const sharp = require('sharp');

const serverNode = require('../nodes/visiond-server.js');
const visionNodes = require('../nodes/vision.js');
const visiondNode = require('../nodes/visiond.js');

/** NODES are the package's node modules, loaded into every test flow. */
const NODES = [serverNode, visionNodes, visiondNode];

/**
 * load starts a flow of the node under test `node` (id "n1"), an optional config node,
 * a collector "out" on its output and a Catch node feeding the collector "caught". It resolves
 * to {n1, events, next(), nextError()}.
 */
async function load(node, config, credentials) {
    const flow = [
        { id: 'f1', type: 'tab', label: 'test' },
        { z: 'f1', id: 'n1', wires: [['out']], ...node },
        { z: 'f1', id: 'out', type: 'helper' },
        { z: 'f1', id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { z: 'f1', id: 'caught', type: 'helper' },
    ];
    if (config) {
        flow.push({ id: 's1', type: 'visiond-server', ...config });
    }
    await helper.load(NODES, flow, credentials || {});
    const events = [];
    let wake = () => {};
    for (const name of ['out', 'caught']) {
        helper.getNode(name).on('input', (msg) => {
            events.push({ name, msg });
            wake();
        });
    }
    // take resolves to the next message of `name`; waiting for output, an error fails it.
    async function take(name, ms) {
        const deadline = Date.now() + ms;
        for (;;) {
            const i = events.findIndex((e) => e.name === name || name === 'out');
            if (i >= 0) {
                const e = events.splice(i, 1)[0];
                if (e.name !== name) {
                    throw new Error('the node reported an error: ' + e.msg.error.message);
                }
                return e.msg;
            }
            const left = deadline - Date.now();
            if (left <= 0) {
                throw new Error(`no message on ${name} within ${ms} ms`);
            }
            await new Promise((resolve) => {
                const timer = setTimeout(resolve, left);
                wake = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
        }
    }
    return {
        n1: helper.getNode('n1'),
        events,
        /** next resolves to the next output message; an error caught first fails it. */
        next: (ms = 20000) => take('out', ms),
        /** nextError resolves to the next message a Catch node received. */
        nextError: (ms = 20000) => take('caught', ms),
    };
}

/** pngSize decodes a PNG whole (sharp, libvips) and returns its width and height. */
async function pngSize(buf) {
    assert.ok(Buffer.isBuffer(buf), 'expected a Buffer');
    assert.strictEqual(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'not a PNG');
    const { data, info } = await sharp(buf).raw().toBuffer({ resolveWithObject: true });
    assert.strictEqual(data.length, info.width * info.height * info.channels);
    return { width: info.width, height: info.height };
}

module.exports = { helper, load, pngSize };
