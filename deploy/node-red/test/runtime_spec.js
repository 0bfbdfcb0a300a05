'use strict';
// The package as a user gets it: packed with npm pack, installed into a fresh Node-RED user
// directory, Node-RED started on a free port; each example flow is fetched from the library
// as the editor's Import → Examples does, added through the admin API, triggered, and its
// debug and image-preview output read from the editor's websocket, against a real visiond
// (with its MQTT broker on a free port).

const assert = require('assert');
const fs = require('fs');
const mqtt = require('mqtt');
const WebSocket = require('ws');
const { image, startVisiond, stop, waitFor } = require('./daemon');
const { pngSize } = require('./flow');
const { startNodeRed } = require('./nodered');

describe('Node-RED with the packed package and its example flows', function () {
    this.timeout(60000);
    let daemon;
    let brokerUrl;
    let red;
    let ws;
    const comms = [];

    before(async function () {
        this.timeout(300000);
        daemon = await startVisiond(['--mqtt-listen', '127.0.0.1:0', '--models', 'coco-ssd']);
        const m = await daemon.waitLog('the MQTT broker', /mqtt: connected and subscribed.* broker=(tcp:\/\/\S+)/);
        brokerUrl = m[1];
        red = await startNodeRed({ VISIOND_URL: daemon.url });
        ws = new WebSocket(red.base.replace('http', 'ws') + '/comms');
        ws.on('message', (data) => comms.push(...JSON.parse(data)));
        await new Promise((resolve, reject) => {
            ws.once('open', resolve);
            ws.once('error', reject);
        });
        for (const topic of ['debug', 'image', 'status/#']) {
            ws.send(JSON.stringify({ subscribe: topic }));
        }
    });

    after(async function () {
        this.timeout(30000);
        if (ws) {
            ws.terminate();
        }
        await (red && red.stop());
        await stop(daemon && daemon.child);
    });

    /** usePhoto points the example's inject node at a shared photo. */
    function usePhoto(nodes, injectId, photo) {
        nodes.find((n) => n.id === injectId).props[0].v = image(photo);
        return nodes;
    }

    /** published waits (20 s at most) for a websocket message on topic about node id. */
    function published(topic, id) {
        return waitFor(`${topic} from node ${id}`, 20000, async () => {
            const i = comms.findIndex((c) => c.topic === topic && c.data.id === id);
            return i >= 0 && comms.splice(i, 1)[0].data;
        });
    }

    it('lists the package\'s example flows under Import → Examples', async function () {
        const list = await (await fetch(red.base + '/library/examples/flows/node-red-contrib-visiond')).json();
        assert.deepStrictEqual(list.map((e) => e.fn).sort(), ['camera-over-mqtt', 'detect-objects-in-a-photo', 'http-request-no-package']);
    });

    it('lists the package\'s nodes and serves their icon', async function () {
        const nodes = await (await fetch(red.base + '/nodes', { headers: { Accept: 'application/json' } })).json();
        const types = nodes.filter((set) => set.module === 'node-red-contrib-visiond' && set.enabled).flatMap((set) => set.types);
        assert.deepStrictEqual(types.sort(), ['cocossd', 'handpose', 'mobilenet', 'posenet', 'visiond', 'visiond-server']);
        assert.ok(nodes.every((set) => !set.err), JSON.stringify(nodes.filter((set) => set.err)));
        const icon = await fetch(red.base + '/icons/node-red-contrib-visiond/visiond.svg');
        assert.strictEqual(icon.status, 200);
        assert.strictEqual(await icon.text(), fs.readFileSync(require.resolve('../nodes/icons/visiond.svg'), 'utf8'));
    });

    it('detect-objects-in-a-photo: the first object, the counts and both previews', async function () {
        await red.deploy('photo', usePhoto(await red.example('detect-objects-in-a-photo'), 'a1c0de0000000002', 'airplane_airport_1280.jpg'));
        await red.inject('a1c0de0000000002');
        const first = await published('debug', 'a1c0de0000000007');
        assert.strictEqual(first.msg, 'airplane');
        const counts = JSON.parse((await published('debug', 'a1c0de0000000008')).msg);
        assert.ok(counts.airplane >= 2 && Object.keys(counts).length === 1, JSON.stringify(counts));
        const original = Buffer.from((await published('image', 'a1c0de0000000004')).data, 'base64');
        assert.ok(original.equals(fs.readFileSync(image('airplane_airport_1280.jpg'))));
        const annotated = Buffer.from((await published('image', 'a1c0de0000000006')).data, 'base64');
        assert.deepStrictEqual(await pngSize(annotated), { width: 1280, height: 1280 });
    });

    it('http-request-no-package: visiond\'s objects through the core http request node', async function () {
        await red.deploy('http', usePhoto(await red.example('http-request-no-package'), 'c3c0de0000000002', 'airplane_airport_1280.jpg'));
        await red.inject('c3c0de0000000002');
        const found = await published('debug', 'c3c0de0000000007');
        const objects = JSON.parse(found.msg);
        assert.ok(objects.length >= 2 && objects.every((o) => o.class === 'airplane' && o.bbox.length === 4), found.msg);
    });

    it('camera-over-mqtt: a notification for the camera that sees a person, none for the other', async function () {
        const nodes = await red.example('camera-over-mqtt');
        const broker = nodes.find((n) => n.type === 'mqtt-broker');
        const { hostname, port } = new URL(brokerUrl);
        Object.assign(broker, { broker: hostname, port });
        await red.deploy('mqtt', nodes);
        await waitFor('the mqtt in node to connect', 20000, async () =>
            comms.some((c) => c.topic === 'status/b2c0de0000000002' && /connected/.test(c.data.text)));

        const camera = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0, connectTimeout: 10000 });
        try {
            // The kitchen's frame (a burger) is answered first, then the porch's (a person).
            await camera.subscribeAsync('visiond/kitchen/detections', { qos: 1 });
            const kitchenDone = new Promise((resolve) => camera.once('message', resolve));
            await camera.publishAsync('visiond/kitchen/image', fs.readFileSync(image('burger.jpg')), { qos: 1 });
            await Promise.race([kitchenDone, new Promise((r, reject) => setTimeout(() => reject(new Error('no detections for the kitchen')), 20000))]);
            await camera.publishAsync('visiond/porch/image', fs.readFileSync(image('person_fullbody_pose.jpg')), { qos: 1 });
            const note = await published('debug', 'b2c0de0000000006');
            assert.strictEqual(note.msg, '1 person(s) on camera porch');
        } finally {
            await camera.endAsync();
        }
        assert.ok(!comms.some((c) => c.topic === 'debug' && /kitchen/.test(c.data.msg)), 'no notification for the kitchen');
    });
});
