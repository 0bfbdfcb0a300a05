'use strict';
// Draws the README's picture of the Node-RED editor: the objects-in-a-photo example flow,
// installed from the packed package into a fresh Node-RED, run once against a real visiond
// so that its image previews and debug messages show, photographed by headless Chromium
// through the DevTools protocol. Usage: node picture.js OUT.png (make node-red-picture).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const WebSocket = require('ws');
const { image, startVisiond, stop, waitFor } = require('./daemon');
const { startNodeRed } = require('./nodered');

const WIDTH = 1720;
const HEIGHT = 520;
const INJECT = 'a1c0de0000000002';

/** devtools connects to a page's DevTools websocket; send(method, params) resolves to the result. */
async function devtools(url) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
    });
    let last = 0;
    const pending = new Map();
    ws.on('message', (data) => {
        const m = JSON.parse(data);
        const p = pending.get(m.id);
        if (p) {
            pending.delete(m.id);
            if (m.error) {
                p.reject(new Error(m.error.message));
            } else {
                p.resolve(m.result);
            }
        }
    });
    return {
        send(method, params) {
            const id = ++last;
            ws.send(JSON.stringify({ id, method, params }));
            return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
        },
        close: () => ws.terminate(),
    };
}

/** evaluate runs a JavaScript expression in the page and returns its value. */
async function evaluate(page, expression) {
    const { result } = await page.send('Runtime.evaluate', { expression, returnByValue: true });
    return result.value;
}

async function main(out) {
    const daemon = await startVisiond(['--mqtt=false', '--models', 'coco-ssd']);
    let red;
    let browser;
    let page;
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'visiond-chromium-'));
    try {
        red = await startNodeRed({ VISIOND_URL: daemon.url });
        const nodes = await red.example('detect-objects-in-a-photo');
        nodes.find((n) => n.id === INJECT).props[0].v = image('airplane_airport_1280.jpg');
        const flow = await red.deploy('Objects in a photo', nodes);

        browser = spawn('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
            '--remote-debugging-port=0', `--user-data-dir=${profile}`, `--window-size=${WIDTH},${HEIGHT}`, 'about:blank'],
        { stdio: 'ignore' });
        const port = await waitFor('Chromium to listen', 30000, async () =>
            fs.readFileSync(path.join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
        const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
        page = await devtools(targets.find((t) => t.type === 'page').webSocketDebuggerUrl);
        await page.send('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: HEIGHT, deviceScaleFactor: 1, mobile: false });
        await page.send('Page.navigate', { url: `${red.base}/#flow/${flow}` });
        await waitFor('the editor to draw the flow', 60000, () =>
            evaluate(page, `document.querySelectorAll('.red-ui-flow-node-group').length >= 8`));
        await evaluate(page, `RED.sidebar.show('debug')`);
        await red.inject(INJECT);
        await waitFor('the debug messages', 30000, () =>
            evaluate(page, `document.querySelectorAll('.red-ui-debug-msg').length >= 2`));
        await new Promise((r) => setTimeout(r, 1000));
        const shot = await page.send('Page.captureScreenshot', { format: 'png' });
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, Buffer.from(shot.data, 'base64'));
        console.log(`node-red-picture: ${out}`);
    } finally {
        if (page) {
            page.close();
        }
        await stop(browser);
        await (red && red.stop());
        await stop(daemon.child);
        fs.rmSync(profile, { recursive: true, force: true });
    }
}

main(path.resolve(process.argv[2] || 'flow.png')).catch((err) => {
    console.error('node-red-picture:', err.message);
    process.exit(1);
});
