'use strict';
// The HTTP client the visiond nodes share: where the server is, one bounded request, and the
// retries after a 503. It uses only Node's own http and https modules.

const http = require('http');
const https = require('https');

/** The server the nodes use when neither a config node nor VISIOND_URL names one. */
const DEFAULT_URL = 'http://127.0.0.1:8080';
/** The largest answer read, in bytes: an annotated 40-megapixel PNG in base64 fits. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/** The longest wait a Retry-After header may ask for, in seconds. */
const MAX_RETRY_AFTER_S = 30;
const DEFAULT_TIMEOUT_S = 30;
const DEFAULT_RETRIES = 3;

/** VisiondError is a failed call: `code` is visiond's error code (or a client-side one such as
 * `unreachable`), `status` the HTTP status when there was an answer. */
class VisiondError extends Error {
    constructor(message, code, status) {
        super(message);
        this.name = 'VisiondError';
        this.code = code;
        this.status = status;
    }
}

/** checkUrl returns the parsed http(s) URL or throws a VisiondError naming what is wrong. */
function checkUrl(text) {
    let url;
    try {
        url = new URL(String(text));
    } catch (e) {
        throw new VisiondError(`visiond URL "${text}" is not a URL`, 'bad_config');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new VisiondError(`visiond URL "${text}" must start with http:// or https://`, 'bad_config');
    }
    if (url.username || url.password) {
        // Not echoed: it holds a password. The API key belongs in the server's credentials.
        throw new VisiondError('visiond URL must have no user name or password: set the API key instead', 'bad_config');
    }
    if (url.search || url.hash) {
        throw new VisiondError(`visiond URL "${text}" must have no query or fragment`, 'bad_config');
    }
    return url;
}

/** whole returns n as an integer within [min, max], or def when n is not a number. */
function whole(n, min, max, def) {
    const v = Number(n);
    if (n === '' || n === undefined || n === null || !Number.isFinite(v)) {
        return def;
    }
    return Math.min(max, Math.max(min, Math.round(v)));
}

/**
 * resolveServer gives the connection settings of a node: those of its visiond-server config node
 * when it has one, else VISIOND_URL and VISIOND_API_KEY from Node-RED's environment, else the
 * local default.
 */
function resolveServer(RED, node, config) {
    if (config) {
        return {
            url: checkUrl(config.url || DEFAULT_URL),
            apiKey: (config.credentials && config.credentials.apiKey) || '',
            verifyTls: config.verifyTls !== false,
            timeoutMs: whole(config.timeout, 1, 600, DEFAULT_TIMEOUT_S) * 1000,
            retries: whole(config.retries, 0, 10, DEFAULT_RETRIES),
        };
    }
    const env = (name) => RED.util.getSetting(node, name) || '';
    return {
        url: checkUrl(env('VISIOND_URL') || DEFAULT_URL),
        apiKey: env('VISIOND_API_KEY'),
        verifyTls: true,
        timeoutMs: DEFAULT_TIMEOUT_S * 1000,
        retries: DEFAULT_RETRIES,
    };
}

/** endpoint joins the server's URL (which may carry a path prefix), a route and a query. */
function endpoint(base, route, query) {
    const url = new URL(base.href);
    url.pathname = url.pathname.replace(/\/+$/, '') + route;
    for (const [key, value] of Object.entries(query || {})) {
        if (value !== undefined && value !== null) {
            url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
        }
    }
    return url;
}

/**
 * send makes one HTTP exchange and resolves to {status, headers, body}; the body is bounded
 * and the whole exchange must end within the server's timeout.
 */
function send(server, req, signal) {
    const url = endpoint(server.url, req.route, req.query);
    const headers = { 'User-Agent': 'node-red-contrib-visiond', Accept: req.accept || 'application/json' };
    if (server.apiKey) {
        headers.Authorization = 'Bearer ' + server.apiKey;
    }
    if (req.body) {
        headers['Content-Type'] = req.contentType || 'application/octet-stream';
        headers['Content-Length'] = req.body.length;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const options = { method: req.method || 'POST', headers, signal };
    if (url.protocol === 'https:') {
        options.rejectUnauthorized = server.verifyTls;
    }
    return new Promise((resolve, reject) => {
        const fail = (err) => {
            clearTimeout(deadline);
            reject(clientError(err, server, url));
        };
        const request = lib.request(url, options, (res) => {
            const chunks = [];
            let size = 0;
            res.on('data', (chunk) => {
                size += chunk.length;
                if (size > MAX_RESPONSE_BYTES) {
                    request.destroy(new VisiondError(`visiond's answer is over ${MAX_RESPONSE_BYTES} bytes`, 'too_large'));
                    return;
                }
                chunks.push(chunk);
            });
            res.on('end', () => {
                clearTimeout(deadline);
                resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) });
            });
            res.on('error', fail);
        });
        const deadline = setTimeout(() => request.destroy(new VisiondError(
            `visiond at ${url.origin} did not answer within ${server.timeoutMs / 1000} s`, 'timeout')), server.timeoutMs);
        request.on('error', fail);
        request.end(req.body);
    });
}

/** clientError turns a socket-level failure into a VisiondError that names the server. */
function clientError(err, server, url) {
    if (err instanceof VisiondError) {
        return err;
    }
    if (err.name === 'AbortError') {
        return new VisiondError('request cancelled: the node was stopped', 'cancelled');
    }
    return new VisiondError(`cannot reach visiond at ${url.origin}: ${err.message}`, 'unreachable');
}

/** parseAnswer reads a JSON answer; a failure status becomes a VisiondError with visiond's message. */
function parseAnswer(res) {
    const type = String(res.headers['content-type'] || '');
    let json;
    if (type.startsWith('application/json')) {
        try {
            json = JSON.parse(res.body.toString('utf8'));
        } catch (e) {
            throw new VisiondError(`visiond sent broken JSON (HTTP ${res.status})`, 'bad_answer', res.status);
        }
    }
    if (res.status >= 200 && res.status < 300) {
        return json === undefined ? res.body : json;
    }
    const err = json && json.error;
    if (err && typeof err === 'object') {
        throw new VisiondError(`${err.message} (${err.code}, HTTP ${res.status})`, err.code, res.status);
    }
    if (typeof err === 'string') {
        throw new VisiondError(`${err} (HTTP ${res.status})`, 'error', res.status);
    }
    throw new VisiondError(`visiond answered HTTP ${res.status}`, 'http_' + res.status, res.status);
}

/** retryDelayMs reads Retry-After (seconds or an HTTP date), bounded; 1 s when absent. */
function retryDelayMs(value, now) {
    if (value === undefined || value === '') {
        return 1000;
    }
    let seconds = Number(value);
    if (!Number.isFinite(seconds)) {
        const at = Date.parse(value);
        seconds = Number.isNaN(at) ? 1 : (at - now) / 1000;
    }
    return Math.round(Math.min(MAX_RETRY_AFTER_S, Math.max(0, seconds)) * 1000);
}

/** sleep waits ms, or rejects at once when the signal aborts. */
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        const onAbort = () => {
            clearTimeout(timer);
            reject(new VisiondError('request cancelled: the node was stopped', 'cancelled'));
        };
        const timer = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        signal.addEventListener('abort', onAbort, { once: true });
    });
}

/**
 * call sends req ({method, route, query, body, contentType, accept}) to the server and returns
 * visiond's parsed answer. A 503 is sent again after its Retry-After, server.retries times at
 * most; onRetry(attempt, delayMs) is told before each wait.
 */
async function call(server, req, signal, onRetry) {
    for (let attempt = 0; ; attempt++) {
        const res = await send(server, req, signal);
        if (res.status !== 503 || attempt >= server.retries) {
            return parseAnswer(res);
        }
        const delay = retryDelayMs(res.headers['retry-after'], Date.now());
        if (onRetry) {
            onRetry(attempt + 1, delay);
        }
        await sleep(delay, signal);
    }
}

module.exports = { DEFAULT_URL, VisiondError, call, checkUrl, endpoint, resolveServer, retryDelayMs, whole };
