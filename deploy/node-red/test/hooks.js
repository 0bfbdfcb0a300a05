'use strict';
// Mocha root hooks: one visiond with the four models of the nodes, shared by every test file
// through VISIOND_TEST_URL, and Node-RED's test helper pointed at the Node-RED under test.

const helper = require('node-red-node-test-helper');
const { NODE_RED, startVisiond, stop } = require('./daemon');

helper.init(require.resolve(NODE_RED));

let daemon;

exports.mochaHooks = {
    async beforeAll() {
        this.timeout(120000);
        daemon = await startVisiond(['--mqtt=false', '--models', 'coco-ssd,mobilenet,posenet,hands']);
        process.env.VISIOND_TEST_URL = daemon.url;
    },
    async afterAll() {
        this.timeout(20000);
        await stop(daemon && daemon.child);
    },
};
