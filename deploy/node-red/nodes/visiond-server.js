'use strict';
// The visiond-server config node: where visiond is, its API key and whether to check its
// TLS certificate. Nodes without one use VISIOND_URL (else http://127.0.0.1:8080).

module.exports = function (RED) {
    RED.nodes.registerType('visiond-server', function VisiondServerNode(config) {
        RED.nodes.createNode(this, config);
        this.url = config.url;
        this.verifyTls = config.verifyTls !== false;
        this.timeout = config.timeout;
        this.retries = config.retries;
    }, {
        credentials: { apiKey: { type: 'password' } },
    });
};
