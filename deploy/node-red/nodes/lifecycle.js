'use strict';
// The life of a visiond node, shared by all of them: its server, the gate in front of its
// requests, the status ("analysing…", then a summary, or the error), errors to Catch nodes,
// and cancelling what is in flight when the flow stops.

const { setMaxListeners } = require('events');
const { Gate } = require('./gate');
const { resolveServer, whole } = require('./client');

/** The longest status text; longer error messages are cut (node.error carries them whole). */
const MAX_STATUS = 60;

function shortText(text) {
    return text.length > MAX_STATUS ? text.slice(0, MAX_STATUS - 1) + '…' : text;
}

/**
 * attach wires a created node: each input message goes through the gate to
 * work(msg, ctx), where ctx = {server, signal, retrying(attempt, ms)}; work resolves to the
 * status summary after putting its results into msg. The elapsed time is added to the summary.
 */
function attach(RED, node, config, work) {
    const controller = new AbortController();
    // Every request in flight and every retry wait listens on the one signal.
    setMaxListeners(64, controller.signal);
    const gate = new Gate(whole(config.concurrency, 1, 16, 1), config.whenBusy);
    let server = null;
    let configError = null;
    try {
        const serverNode = config.server ? RED.nodes.getNode(config.server) : null;
        if (config.server && !serverNode) {
            throw new Error('the visiond-server of this node is missing or disabled');
        }
        server = resolveServer(RED, node, serverNode);
    } catch (err) {
        configError = err;
        node.status({ fill: 'red', shape: 'ring', text: shortText(err.message) });
    }

    const retrying = (attempt, ms) => node.status({
        fill: 'yellow', shape: 'ring', text: `visiond busy, retry ${attempt} in ${(ms / 1000).toFixed(1)} s`,
    });

    async function handle(msg, send, done) {
        if (configError) {
            done(configError);
            return;
        }
        node.status({ fill: 'blue', shape: 'dot', text: 'analysing…' });
        const started = process.hrtime.bigint();
        try {
            const summary = await work(msg, { server, signal: controller.signal, retrying });
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            node.status({ fill: 'green', shape: 'dot', text: `${summary}, ${Math.round(ms)} ms` });
            send(msg);
            done();
        } catch (err) {
            if (controller.signal.aborted) {
                done();
                return;
            }
            node.status({ fill: 'red', shape: 'ring', text: shortText(err.message) });
            done(err);
        }
    }

    node.on('input', (msg, send, done) => {
        gate.submit({ run: () => handle(msg, send, done), drop: () => done() });
    });
    node.on('close', (removed, done) => {
        controller.abort();
        gate.close();
        node.status({});
        done();
    });
}

module.exports = { attach };
