'use strict';
// The generic visiond node: sends msg.payload to any visiond route and returns visiond's
// answer as it is (JSON as an object, an image as a Buffer).

const { attach } = require('./lifecycle');
const { call } = require('./client');

const ROUTE = /^\/[A-Za-z0-9._~\/-]{0,200}$/;
const METHODS = ['GET', 'POST'];
const MAX_QUERY_KEYS = 32;

/** checkRoute returns a route such as /v1/detect, or throws naming where it came from. */
function checkRoute(route, where) {
    if (typeof route !== 'string' || !ROUTE.test(route) || route.split('/').includes('..')) {
        throw new Error(`${where}: ${JSON.stringify(route)} is not a route such as /v1/detect`);
    }
    return route;
}

/** checkQuery returns msg.query when it is an object of plain values (lists allowed). */
function checkQuery(query) {
    if (query === undefined || query === null) {
        return {};
    }
    const scalar = (v) => ['string', 'number', 'boolean'].includes(typeof v);
    const entries = typeof query === 'object' && !Array.isArray(query) ? Object.entries(query) : null;
    if (!entries || entries.length > MAX_QUERY_KEYS ||
        entries.some(([, v]) => !(scalar(v) || (Array.isArray(v) && v.every(scalar))))) {
        throw new Error(`msg.query must be an object of at most ${MAX_QUERY_KEYS} strings, numbers, booleans or lists of them`);
    }
    return query;
}

/** body turns msg.payload into what is sent: a Buffer as it is, an object as JSON. */
function body(payload) {
    if (Buffer.isBuffer(payload)) {
        return { body: payload, contentType: 'application/octet-stream' };
    }
    if (payload !== null && typeof payload === 'object') {
        return { body: Buffer.from(JSON.stringify(payload)), contentType: 'application/json' };
    }
    throw new Error('msg.payload must be a Buffer (an image) or an object (sent as JSON) for POST');
}

module.exports = function (RED) {
    RED.nodes.registerType('visiond', function VisiondNode(config) {
        RED.nodes.createNode(this, config);
        attach(RED, this, config, async (msg, ctx) => {
            const method = msg.method !== undefined ? msg.method : config.method || 'POST';
            if (!METHODS.includes(method)) {
                throw new Error(`msg.method: ${JSON.stringify(method)} is not GET or POST`);
            }
            const route = msg.route !== undefined
                ? checkRoute(msg.route, 'msg.route')
                : checkRoute(config.route || '/v1/detect', 'property route');
            const req = { method, route, query: checkQuery(msg.query) };
            if (method === 'POST') {
                Object.assign(req, body(msg.payload));
            }
            msg.payload = await call(ctx.server, req, ctx.signal, ctx.retrying);
            return `${method} ${route}`;
        });
    });
};
