'use strict';
// A real Node-RED for the tests and the flow picture: the package packed with npm pack and
// installed, beside the image-preview nodes, into a fresh user directory; Node-RED started
// from it on a free loopback port, and the admin API calls they need.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile, spawn } = require('child_process');
const { promisify } = require('util');
const { NODE_RED, freePort, stop, waitFor } = require('./daemon');

const run = promisify(execFile);
const PACKAGE_DIR = path.resolve(__dirname, '..');
const IMAGE_OUTPUT = 'node-red-contrib-image-output@' + require('./package.json').devDependencies['node-red-contrib-image-output'];

/**
 * startNodeRed packs and installs the package into a new user directory and starts Node-RED
 * with env added to its environment. It resolves to {base, userDir, log(), example(name),
 * deploy(label, nodes), inject(id), stop()}.
 */
async function startNodeRed(env) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'visiond-node-red-'));
    const userDir = path.join(tmp, 'user');
    let child;
    let output = '';
    const cleanup = async () => {
        await stop(child);
        fs.rmSync(tmp, { recursive: true, force: true });
    };
    try {
        fs.mkdirSync(userDir);
        const packed = await run('npm', ['pack', '--pack-destination', tmp, '--silent'], { cwd: PACKAGE_DIR, timeout: 60000 });
        const tarball = path.join(tmp, packed.stdout.trim().split('\n').pop());
        fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
        await run('npm', ['install', '--no-package-lock', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
            tarball, IMAGE_OUTPUT], { cwd: userDir, timeout: 240000 });

        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const settings = path.join(userDir, 'settings.js');
        fs.writeFileSync(settings, `module.exports = ${JSON.stringify({
            uiHost: '127.0.0.1', uiPort: port, flowFile: 'flows.json', credentialSecret: false,
            editorTheme: { tours: false }, telemetry: { enabled: false },
        })};\n`);
        child = spawn(process.execPath, [path.join(NODE_RED, 'red.js'), '-u', userDir, '-s', settings], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const collect = (chunk) => {
            output = (output + chunk).slice(-20000);
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        await waitFor('Node-RED to start', 60000, async () => (await fetch(base + '/settings')).status === 200, () => {
            if (child.exitCode !== null) {
                throw new Error('Node-RED exited:\n' + output);
            }
        });
        return {
            base,
            userDir,
            log: () => output,
            /** example fetches an example flow of the package as the editor's Import → Examples does. */
            async example(name) {
                const res = await fetch(`${base}/library/examples/flows/node-red-contrib-visiond/${name}`);
                if (res.status !== 200) {
                    throw new Error(`example ${name}: ${res.status} ${await res.text()}`);
                }
                return res.json();
            },
            /** deploy adds the nodes as a new flow through the admin API; resolves to its id. */
            async deploy(label, nodes) {
                const res = await fetch(base + '/flow', {
                    method: 'POST',
                    headers: { 'Content-Type': 'application/json' },
                    body: JSON.stringify({ label, nodes }),
                });
                const text = await res.text();
                if (res.status !== 200) {
                    throw new Error(`POST /flow: ${res.status} ${text}`);
                }
                return JSON.parse(text).id;
            },
            /** inject presses an inject node's button, once the new flow has started it (404 before). */
            inject: (id) => waitFor(`inject node ${id}`, 10000,
                async () => (await fetch(`${base}/inject/${id}`, { method: 'POST' })).status === 200),
            stop: cleanup,
        };
    } catch (err) {
        await cleanup();
        err.message += '\n' + output;
        throw err;
    }
}

module.exports = { startNodeRed };
