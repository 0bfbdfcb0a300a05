'use strict';
// A real DeepStack client, node-red-contrib-deepstack 0.3.0, in Node-RED against visiond's
// /v1/vision/detection: its object detection node finds the airplanes and outlines them.

const assert = require('assert');
const fs = require('fs');
const sharp = require('sharp');
const helper = require('node-red-node-test-helper');
const { image } = require('./daemon');

const serverNode = require('node-red-contrib-deepstack/deepstack-server.js');
const detectionNode = require('node-red-contrib-deepstack/deepstack-object-detection.js');

describe('node-red-contrib-deepstack against visiond', function () {
    this.timeout(60000);
    afterEach(() => helper.unload());

    it('its object detection node returns the airplanes and the outlined image', async function () {
        const url = new URL(process.env.VISIOND_TEST_URL);
        const flow = [
            { id: 'f1', type: 'tab', label: 'deepstack' },
            { id: 'ds', type: 'deepstack-server', proto: 'http', host: url.hostname, port: url.port, version: 'v1', rejectUnauthorized: true },
            {
                id: 'n1', z: 'f1', type: 'deepstack-object-detection', server: 'ds', confidence: 50,
                drawPredictions: true, printLabel: false, outlineColor: 'red', filters: [], outputs: 1, wires: [['out']],
            },
            { id: 'out', z: 'f1', type: 'helper' },
        ];
        await helper.load([serverNode, detectionNode], flow, { ds: {} });
        const photo = fs.readFileSync(image('airplane_airport_1280.jpg'));
        const got = new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no output within 20 s')), 20000);
            helper.getNode('out').on('input', (msg) => {
                clearTimeout(timer);
                resolve(msg);
            });
        });
        helper.getNode('n1').receive({ payload: photo });
        const msg = await got;

        assert.strictEqual(msg.success, true);
        assert.ok(msg.payload.length >= 2, `${msg.payload.length} predictions`);
        for (const p of msg.payload) {
            assert.strictEqual(p.label, 'airplane');
            assert.ok(p.confidence >= 0.5 && p.confidence <= 1);
            assert.ok(p.x_min >= 0 && p.x_min < p.x_max && p.x_max <= 1280 && p.y_min >= 0 && p.y_min < p.y_max && p.y_max <= 1280);
        }
        const meta = await sharp(msg.outlinedImage).metadata();
        assert.deepStrictEqual([meta.width, meta.height], [1280, 1280]);
        // The red outline of the best box crosses the middle of its top edge.
        const best = msg.payload[0];
        const x = Math.round((best.x_min + best.x_max) / 2);
        const { data } = await sharp(msg.outlinedImage)
            .extract({ left: x, top: Math.max(0, best.y_min - 2), width: 1, height: 5 })
            .removeAlpha().raw().toBuffer({ resolveWithObject: true });
        let red = false;
        for (let i = 0; i < data.length; i += 3) {
            red = red || (data[i] > 130 && data[i] > 2.5 * data[i + 1] && data[i] > 2.5 * data[i + 2]);
        }
        assert.ok(red, `no red outline at (${x}, ${best.y_min}): ${data.toString('hex')}`);
    });
});
