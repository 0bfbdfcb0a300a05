'use strict';
// Starts and stops real processes for the tests: visiond on a free loopback port, and
// free ports for other servers. Everything is bounded in time.

const { spawn } = require('child_process');
const http = require('http');
const https = require('https');
const net = require('net');
const path = require('path');

const REPO = path.resolve(__dirname, '../../..');
const BIN = process.env.VISIOND_BIN || path.join(REPO, 'bin/visiond');
const MODELS = process.env.VISIOND_TEST_MODELS;
/** NODE_RED is the Node-RED package the tests run: VISIOND_NODE_RED, else the installed one. */
const NODE_RED = process.env.VISIOND_NODE_RED || path.dirname(require.resolve('node-red/package.json'));
const IMAGES = path.join(path.resolve(REPO, process.env.VISIOND_TESTDATA || '../shared'), 'images');

/** image returns the path of a shared test photo. */
function image(name) {
    return path.join(IMAGES, name);
}

/** freePort asks the OS for a loopback port that is free now. */
function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

/**
 * waitFor polls check() every 100 ms until it returns a truthy value, for ms at most; a
 * failing check counts as not yet. alive(), when given, throws to stop waiting at once.
 */
async function waitFor(what, ms, check, alive) {
    const deadline = Date.now() + ms;
    for (;;) {
        if (alive) {
            alive();
        }
        const value = await check().catch(() => undefined);
        if (value) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** status GETs url and resolves to the HTTP status; a test server's own certificate is accepted. */
function status(url) {
    const lib = url.startsWith('https:') ? https : http;
    return new Promise((resolve, reject) => {
        const req = lib.get(url, { rejectUnauthorized: false, timeout: 5000 }, (res) => {
            res.resume();
            resolve(res.statusCode);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
    });
}

/** stop ends a child with SIGTERM (SIGKILL after 10 s) and waits for it. */
function stop(child) {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10000);
        child.once('exit', () => {
            clearTimeout(kill);
            resolve();
        });
        child.kill('SIGTERM');
    });
}

/**
 * startVisiond runs `visiond serve` on 127.0.0.1:0 with the test models and extra arguments
 * and env, reads the URL it logs, and waits (60 s at most) until /readyz says ready. It
 * resolves to {url, child, log(), waitLog(what, regexp)}; waitLog resolves to the first match
 * of regexp in the log (20 s at most).
 */
async function startVisiond(args, env) {
    if (!MODELS) {
        throw new Error('VISIOND_TEST_MODELS is not set: run the tests with make test-node-red');
    }
    const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--dir', MODELS, ...args], {
        cwd: REPO,
        env: { ...process.env, VISIOND_CONFIG: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk) => {
        output = (output + chunk).slice(-20000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const log = () => output;
    const alive = () => {
        if (child.exitCode !== null) {
            throw new Error(`visiond exited with ${child.exitCode}`);
        }
    };
    try {
        const url = await waitFor('visiond to listen', 30000, async () => {
            const m = /msg=listening url=(\S+)/.exec(output);
            return m && m[1];
        }, alive);
        await waitFor('visiond to load its models', 60000, async () => {
            return (await status(url + '/readyz')) === 200;
        }, alive);
        return { url, child, log, waitLog: (what, re) => waitFor(what, 20000, async () => re.exec(output), alive) };
    } catch (err) {
        await stop(child);
        err.message += '\n' + output;
        throw err;
    }
}

module.exports = { NODE_RED, image, freePort, startVisiond, stop, waitFor };
