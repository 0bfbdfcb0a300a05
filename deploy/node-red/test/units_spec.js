'use strict';
// The nodes' pure functions, on the edge cases the end-to-end specs do not reach.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { checkUrl, endpoint, retryDelayMs } = require('../nodes/client');
const { Gate, MAX_QUEUE } = require('../nodes/gate');
const { TASKS, options } = require('../nodes/tasks');
const results = require('../nodes/results');

describe('pure functions', function () {
    it('the package\'s version is visiond\'s', async function () {
        const version = fs.readFileSync(path.join(__dirname, '../../../VERSION'), 'utf8').trim();
        assert.strictEqual(require('../package.json').version, version);
        const health = await (await fetch(process.env.VISIOND_TEST_URL + '/healthz')).json();
        assert.strictEqual(health.version, version, 'bin/visiond is built by make, which stamps VERSION');
    });

    it('Retry-After: seconds, an HTTP date, bounded, 1 s by default', function () {
        const now = Date.parse('2026-12-03T08:00:00Z');
        assert.strictEqual(retryDelayMs('2', now), 2000);
        assert.strictEqual(retryDelayMs('Thu, 03 Dec 2026 08:00:05 GMT', now), 5000);
        assert.strictEqual(retryDelayMs('3600', now), 30000);
        assert.strictEqual(retryDelayMs('-4', now), 0);
        assert.strictEqual(retryDelayMs(undefined, now), 1000);
        assert.strictEqual(retryDelayMs('soon', now), 1000);
    });

    it('server URLs: http(s) only, a path prefix kept, options in the query', function () {
        for (const bad of ['127.0.0.1:8080', 'ftp://host', 'http://u:p@host', 'http://host/?a=1', 'not a url']) {
            assert.throws(() => checkUrl(bad), /visiond URL/, bad);
        }
        assert.throws(() => checkUrl('http://me:hunter2@host'), (err) => !err.message.includes('hunter2'));
        const url = endpoint(checkUrl('https://pi.local/visiond/'), '/v1/detect', { classes: ['person', 'car'], max: 3, model: undefined });
        assert.strictEqual(url.href, 'https://pi.local/visiond/v1/detect?classes=person%2Ccar&max=3');
    });

    it('options: properties, overrides by msg, errors naming the field', function () {
        const detect = TASKS.cocossd;
        assert.deepStrictEqual(options(detect, { minScore: '0.4', maxBoxes: '', classFilter: 'person, car', format: 'png' }, {}),
            { query: { min_score: 0.4, classes: ['person', 'car'], annotate: true, format: 'png' }, format: 'png' });
        assert.deepStrictEqual(options(detect, { minScore: '0.4', format: 'png' }, { minScore: 0, format: 'none', maxBoxes: 2 }),
            { query: { min_score: 0, max: 2 }, format: 'none' });
        assert.throws(() => options(detect, {}, { maxBoxes: 1.5 }), /msg\.maxBoxes: 1\.5 is not a whole number from 1 to 100/);
        assert.throws(() => options(detect, { format: 'gif' }, {}), /property format: "gif" is not one of png, jpeg, none/);
        assert.throws(() => options(detect, {}, { classFilter: [7] }), /msg\.classFilter/);
        assert.throws(() => options(detect, {}, { model: '../x' }), /msg\.model/);
        assert.throws(() => options(TASKS.posenet, {}, { multi: 'yes' }), /msg\.multi: "yes" is not true or false/);
        assert.deepStrictEqual(options(TASKS.mobilenet, { topK: '5' }, { format: 'png' }), { query: { top: 5 }, format: 'none' });
    });

    it('payloads of empty results are null', function () {
        assert.strictEqual(results.detectPayload([]), null);
        assert.strictEqual(results.classifyPayload([]), null);
        assert.strictEqual(results.posePayload([]), null);
        assert.strictEqual(results.posePayload([{ keypoints: [{ part: 'nose', score: 0.5, position: { x: 1, y: 2 } }] }]), null);
        assert.strictEqual(results.handPayload([]), null);
        assert.strictEqual(results.dataUriBuffer('iVBORw0KGgo='), null);
    });

    it('the queue mode is bounded', async function () {
        const gate = new Gate(1, 'queue');
        let release;
        const dropped = [];
        gate.submit({ run: () => new Promise((r) => { release = r; }), drop: () => {} });
        for (let i = 0; i < MAX_QUEUE + 5; i++) {
            gate.submit({ run: async () => {}, drop: () => dropped.push(i) });
        }
        assert.strictEqual(gate.waiting.length, MAX_QUEUE);
        assert.deepStrictEqual(dropped, [100, 101, 102, 103, 104]);
        gate.close();
        assert.strictEqual(dropped.length, MAX_QUEUE + 5);
        await new Promise((r) => setImmediate(r));
        release();
    });
});
