'use strict';
// The nodes in Node-RED's test helper against the real visiond started by hooks.js, on the
// shared photos: the message contract of node-red-contrib-tensorflow 0.5.0, the properties
// and their per-message overrides, errors, API keys, 503 retries and the busy modes.

const assert = require('assert');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const { promisify } = require('util');
const { helper, load, pngSize } = require('./flow');
const { image, freePort, startVisiond, stop } = require('./daemon');

const airplane = fs.readFileSync(image('airplane_airport_1280.jpg'));
const burger = fs.readFileSync(image('burger.jpg'));
const person = fs.readFileSync(image('person_fullbody_pose.jpg'));
const hands = fs.readFileSync(image('hands.jpg'));
const run = promisify(execFile);

describe('visiond nodes in Node-RED', function () {
    this.timeout(60000);
    before(() => {
        process.env.VISIOND_URL = process.env.VISIOND_TEST_URL;
    });
    afterEach(() => helper.unload());

    describe('the contract of node-red-contrib-tensorflow', function () {
        it('cocossd: the airplanes, their count, every box drawn on a PNG', async function () {
            const f = await load({ type: 'cocossd' });
            f.n1.receive({ payload: airplane, keep: 'me' });
            const msg = await f.next();
            assert.strictEqual(msg.payload, 'airplane');
            assert.strictEqual(msg.keep, 'me');
            assert.ok(msg.details.length >= 2, `${msg.details.length} objects`);
            for (const d of msg.details) {
                assert.strictEqual(d.class, 'airplane');
                assert.ok(d.score >= 0.5 && d.score <= 1);
                const [x, y, w, h] = d.bbox;
                assert.ok(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 1281 && y + h <= 1281, JSON.stringify(d.bbox));
            }
            assert.deepStrictEqual(msg.classes, { airplane: msg.details.length });
            assert.deepStrictEqual(await pngSize(msg.annotatedInput), { width: 1280, height: 1280 });
            // The same message through a second cocossd: its msg.classes is no class filter.
            f.n1.receive({ ...msg, payload: airplane });
            assert.deepStrictEqual((await f.next()).classes, msg.classes);
        });

        it('cocossd: every box is drawn, not just the first', async function () {
            const f = await load({ type: 'cocossd', maxBoxes: '1' });
            f.n1.receive({ payload: airplane });
            const one = await f.next();
            f.n1.receive({ payload: airplane, maxBoxes: 4 });
            const four = await f.next();
            assert.strictEqual(one.details.length, 1);
            assert.strictEqual(four.details.length, 4);
            const changed = async (png) => changedPixels(airplane, png);
            const [c1, c4] = [await changed(one.annotatedInput), await changed(four.annotatedInput)];
            assert.ok(c1 > 1000, `one box changed ${c1} pixels`);
            assert.ok(c4 > c1 * 1.5, `four boxes changed ${c4} pixels, one box ${c1}`);
        });

        it('mobilenet: cheeseburger synonyms in payload, the top classes in details', async function () {
            const f = await load({ type: 'mobilenet' });
            f.n1.receive({ payload: burger });
            const msg = await f.next();
            assert.ok(Array.isArray(msg.payload) && msg.payload.includes('cheeseburger'), JSON.stringify(msg.payload));
            assert.deepStrictEqual(msg.payload, msg.details[0].className.split(', '));
            assert.strictEqual(msg.details.length, 3);
            assert.ok(msg.details[0].probability > 0.5);
            assert.strictEqual(msg.annotatedInput, undefined);
        });

        it('posenet: parts above 0.6 with a center between the shoulders, the pose, a PNG', async function () {
            const f = await load({ type: 'posenet' });
            f.n1.receive({ payload: person });
            const msg = await f.next();
            const p = msg.payload;
            assert.ok(p.nose && p.center && p.leftShoulder && p.rightShoulder, Object.keys(p).join(','));
            assert.strictEqual(p.center.x, (p.leftShoulder.x + p.rightShoulder.x) / 2);
            assert.strictEqual(p.center.y, (p.leftShoulder.y + p.rightShoulder.y) / 2);
            assert.ok(p.nose.y < p.center.y, 'the nose is above the shoulders');
            assert.ok(!Array.isArray(msg.details), 'single pose: one object, as estimateSinglePose');
            assert.strictEqual(msg.details.keypoints.length, 17);
            const above = msg.details.keypoints.filter((k) => k.score > 0.6).map((k) => k.part);
            assert.deepStrictEqual(Object.keys(p).filter((k) => k !== 'center').sort(), above.sort());
            assert.deepStrictEqual(await pngSize(msg.annotatedInput), { width: 1000, height: 667 });
        });

        it('handpose: two hands, the first one\'s palm and finger tips, a PNG', async function () {
            const f = await load({ type: 'handpose' });
            f.n1.receive({ payload: hands });
            const msg = await f.next();
            assert.strictEqual(msg.details.length, 2);
            const lm = msg.details[0].landmarks;
            assert.strictEqual(lm.length, 21);
            const names = ['palmBase', 'thumb', 'indexFinger', 'middleFinger', 'ringFinger', 'pinky'];
            assert.deepStrictEqual(Object.keys(msg.payload), names);
            names.forEach((name, i) => assert.deepStrictEqual(msg.payload[name], { x: lm[i * 4][0], y: lm[i * 4][1] }));
            assert.deepStrictEqual(await pngSize(msg.annotatedInput), { width: 720, height: 382 });
        });

        it('nothing found: payload null and the input as annotatedInput', async function () {
            const f = await load({ type: 'cocossd', classFilter: 'toaster' });
            f.n1.receive({ payload: airplane });
            const msg = await f.next();
            assert.strictEqual(msg.payload, null);
            assert.deepStrictEqual(msg.details, []);
            assert.deepStrictEqual(msg.classes, {});
            assert.ok(msg.annotatedInput.equals(airplane));
        });
    });

    describe('properties and per-message overrides', function () {
        it('cocossd: min score, class filter, JPEG or no annotation', async function () {
            const f = await load({ type: 'cocossd', minScore: '0.7', format: 'jpeg' });
            f.n1.receive({ payload: airplane });
            let msg = await f.next();
            assert.ok(msg.details.length >= 1 && msg.details.every((d) => d.score >= 0.7), JSON.stringify(msg.details));
            assert.strictEqual(msg.annotatedInput.subarray(0, 3).toString('hex'), 'ffd8ff', 'a JPEG');
            f.n1.receive({ payload: airplane, minScore: 0.3, format: 'none', classFilter: ['airplane', 'person'] });
            msg = await f.next();
            assert.ok(msg.details.some((d) => d.score < 0.7), 'msg.minScore 0.3 lets lower scores in');
            assert.ok(msg.details.every((d) => ['airplane', 'person'].includes(d.class)));
            assert.strictEqual(msg.annotatedInput, undefined);
        });

        it('mobilenet: top-k from the property and from msg.topK', async function () {
            const f = await load({ type: 'mobilenet', topK: '1' });
            f.n1.receive({ payload: burger });
            assert.strictEqual((await f.next()).details.length, 1);
            f.n1.receive({ payload: burger, topK: 5 });
            assert.strictEqual((await f.next()).details.length, 5);
        });

        it('posenet: msg.multi gives an array of poses', async function () {
            const f = await load({ type: 'posenet' });
            f.n1.receive({ payload: fs.readFileSync(image('street_coco_000000373353.jpg')), multi: true });
            const msg = await f.next();
            assert.ok(Array.isArray(msg.details) && msg.details.length >= 2, `${msg.details.length} poses`);
            assert.ok(msg.details.every((pose) => pose.keypoints.length === 17));
        });

        it('handpose: max hands 1', async function () {
            const f = await load({ type: 'handpose', maxHands: '1' });
            f.n1.receive({ payload: hands });
            assert.strictEqual((await f.next()).details.length, 1);
        });

        it('a bad override is an error naming it, for Catch nodes', async function () {
            const f = await load({ type: 'cocossd' });
            f.n1.receive({ payload: airplane, minScore: 'high' });
            const err = await f.nextError();
            assert.match(err.error.message, /msg\.minScore: "high" is not a number between 0 and 1/);
            f.n1.receive({ payload: 'not an image' });
            assert.match((await f.nextError()).error.message, /msg\.payload must be a Buffer/);
            f.n1.receive({ payload: Buffer.from('not an image either') });
            assert.match((await f.nextError()).error.message, /bad_image, HTTP 400/);
        });

        it('the status shows the count and the time', async function () {
            const f = await load({ type: 'cocossd' });
            const texts = [];
            f.n1.on('call:status', (call) => texts.push(call.args[0].text));
            f.n1.receive({ payload: airplane });
            const msg = await f.next();
            await new Promise((r) => setImmediate(r));
            assert.strictEqual(texts[0], 'analysing…');
            assert.match(texts[texts.length - 1], new RegExp(`^${msg.details.length} objects, \\d+ ms$`));
        });
    });

    describe('servers and failures', function () {
        it('daemon down: a clear error', async function () {
            const port = await freePort();
            const f = await load({ type: 'mobilenet', server: 's1' }, { url: `http://127.0.0.1:${port}` });
            f.n1.receive({ payload: burger });
            const err = await f.nextError();
            assert.match(err.error.message, new RegExp(`cannot reach visiond at http://127.0.0.1:${port}: .*ECONNREFUSED`));
        });

        it('a server that does not answer: the timeout', async function () {
            const silent = net.createServer((socket) => socket.on('error', () => {}));
            await new Promise((r) => silent.listen(0, '127.0.0.1', r));
            try {
                const url = `http://127.0.0.1:${silent.address().port}`;
                const f = await load({ type: 'mobilenet', server: 's1' }, { url, timeout: 1 });
                const t0 = Date.now();
                f.n1.receive({ payload: burger });
                assert.match((await f.nextError()).error.message, /visiond at http:\/\/127\.0\.0\.1:\d+ did not answer within 1 s/);
                assert.ok(Date.now() - t0 < 5000);
            } finally {
                silent.close();
            }
        });

        it('a missing server config node is an error, not another server', async function () {
            const f = await load({ type: 'mobilenet', server: 'gone' });
            f.n1.receive({ payload: burger });
            assert.match((await f.nextError()).error.message, /visiond-server of this node is missing/);
        });

        describe('with API keys', function () {
            let keyed;
            before(async function () {
                this.timeout(90000);
                keyed = await startVisiond(['--mqtt=false', '--models', 'mobilenet'], { VISIOND_API_KEYS: 's3cret' });
            });
            after(() => stop(keyed && keyed.child));

            it('401 without the key', async function () {
                const f = await load({ type: 'mobilenet', server: 's1' }, { url: keyed.url });
                f.n1.receive({ payload: burger });
                const err = await f.nextError();
                assert.match(err.error.message, /missing or wrong API key .*\(unauthorized, HTTP 401\)/);
            });

            it('the key from the credentials', async function () {
                const f = await load({ type: 'mobilenet', server: 's1' }, { url: keyed.url }, { s1: { apiKey: 's3cret' } });
                f.n1.receive({ payload: burger });
                assert.ok((await f.next()).payload.includes('cheeseburger'));
            });
        });

        describe('over HTTPS with a self-signed certificate', function () {
            let secure;
            let dir;
            before(async function () {
                this.timeout(90000);
                dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visiond-tls-'));
                await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
                    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { timeout: 20000 });
                secure = await startVisiond(['--mqtt=false', '--models', 'mobilenet',
                    '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')]);
            });
            after(async () => {
                await stop(secure && secure.child);
                fs.rmSync(dir, { recursive: true, force: true });
            });

            it('is refused while the certificate is checked', async function () {
                assert.match(secure.url, /^https:/);
                const f = await load({ type: 'mobilenet', server: 's1' }, { url: secure.url, verifyTls: true });
                f.n1.receive({ payload: burger });
                assert.match((await f.nextError()).error.message, /cannot reach visiond at https:.*self-signed certificate/);
            });

            it('works with Check TLS cleared', async function () {
                const f = await load({ type: 'mobilenet', server: 's1' }, { url: secure.url, verifyTls: false });
                f.n1.receive({ payload: burger });
                assert.ok((await f.next()).payload.includes('cheeseburger'));
            });
        });

        describe('503', function () {
            let proxy;
            let busyLeft;
            let seen;
            before(async function () {
                // Answers busyLeft requests as visiond does when its queue is full, then passes
                // requests on to the real daemon.
                const target = new URL(process.env.VISIOND_TEST_URL);
                proxy = http.createServer((req, res) => {
                    seen++;
                    if (busyLeft > 0) {
                        busyLeft--;
                        req.resume();
                        res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
                        res.end(JSON.stringify({ error: { code: 'busy', message: 'every worker is busy and the queue is full' } }));
                        return;
                    }
                    const out = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
                        (up) => {
                            res.writeHead(up.statusCode, up.headers);
                            up.pipe(res);
                        });
                    req.pipe(out);
                });
                await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
            });
            after(() => new Promise((r) => proxy.close(r)));
            beforeEach(() => {
                seen = 0;
            });

            it('is retried after Retry-After', async function () {
                busyLeft = 1;
                const url = `http://127.0.0.1:${proxy.address().port}`;
                const f = await load({ type: 'mobilenet', server: 's1' }, { url });
                const texts = [];
                f.n1.on('call:status', (call) => texts.push(call.args[0].text));
                const t0 = Date.now();
                f.n1.receive({ payload: burger });
                const msg = await f.next();
                assert.ok(msg.payload.includes('cheeseburger'));
                assert.strictEqual(seen, 2);
                assert.ok(Date.now() - t0 >= 950, 'waited for Retry-After');
                assert.ok(texts.includes('visiond busy, retry 1 in 1.0 s'), texts.join(' | '));
            });

            it('a bounded number of times', async function () {
                busyLeft = 100;
                const url = `http://127.0.0.1:${proxy.address().port}`;
                const f = await load({ type: 'mobilenet', server: 's1' }, { url, retries: 2 });
                f.n1.receive({ payload: burger });
                const err = await f.nextError();
                assert.match(err.error.message, /busy, HTTP 503/);
                assert.strictEqual(seen, 3);
            });
        });
    });

    describe('when busy', function () {
        const burst = async (whenBusy, concurrency) => {
            const f = await load({ type: 'mobilenet', whenBusy, concurrency });
            for (let i = 1; i <= 4; i++) {
                f.n1.receive({ payload: burger, n: i });
            }
            const got = [];
            for (;;) {
                try {
                    got.push((await f.next(3000)).n);
                } catch (e) {
                    return got;
                }
            }
        };
        it('newest: the first, then only the newest of those that waited', async function () {
            assert.deepStrictEqual(await burst('newest'), [1, 4]);
        });
        it('drop: only the first', async function () {
            assert.deepStrictEqual(await burst('drop'), [1]);
        });
        it('queue: all, in order', async function () {
            assert.deepStrictEqual(await burst('queue'), [1, 2, 3, 4]);
        });
        it('two in flight, drop: the first two', async function () {
            assert.deepStrictEqual((await burst('drop', 2)).sort(), [1, 2]);
        });
    });

    describe('the generic visiond node', function () {
        it('returns visiond\'s JSON as it is', async function () {
            const f = await load({ type: 'visiond', route: '/v1/classify' });
            f.n1.receive({ payload: burger, query: { top: 2 } });
            const msg = await f.next();
            assert.strictEqual(msg.payload.model, 'mobilenet');
            assert.strictEqual(msg.payload.task, 'classify');
            assert.strictEqual(msg.payload.results.length, 2);
            assert.strictEqual(msg.payload.results[0].className, 'cheeseburger');
            f.n1.receive({ method: 'GET', route: '/v1/models' });
            const models = (await f.next()).payload.models.map((m) => m.name);
            assert.ok(models.includes('hands') && models.includes('coco-ssd'), models.join(','));
        });

        it('refuses a route that is not one', async function () {
            const f = await load({ type: 'visiond' });
            f.n1.receive({ payload: burger, route: '/v1/../etc' });
            assert.match((await f.nextError()).error.message, /msg\.route: "\/v1\/\.\.\/etc" is not a route/);
        });
    });
});

/** changedPixels counts the pixels of an annotated image that differ clearly from the photo. */
async function changedPixels(jpeg, png) {
    const sharp = require('sharp');
    const a = await sharp(jpeg).removeAlpha().raw().toBuffer();
    const b = await sharp(png).removeAlpha().raw().toBuffer();
    assert.strictEqual(a.length, b.length);
    let changed = 0;
    for (let i = 0; i < a.length; i += 3) {
        const d = Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
        if (d > 120) {
            changed++;
        }
    }
    return changed;
}
