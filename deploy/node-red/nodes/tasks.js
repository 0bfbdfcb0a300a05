'use strict';
// The four TensorFlow.js-compatible nodes as data: the visiond route each one calls, the
// options it takes (node property, overridable by the same name on msg), and how it fills msg.

const results = require('./results');

/** FORMATS are the choices of the annotated image: PNG as the original nodes, JPEG, or none. */
const FORMATS = ['png', 'jpeg', 'none'];
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_CLASSES = 100;

function fail(where, value, what) {
    throw new Error(`${where}: ${JSON.stringify(value)} is not ${what}`);
}

function score(value, where) {
    const n = Number(value);
    if (typeof value === 'boolean' || value === '' || !(n >= 0 && n <= 1)) {
        fail(where, value, 'a number between 0 and 1');
    }
    return n;
}

function count(min, max) {
    return (value, where) => {
        const n = Number(value);
        if (typeof value === 'boolean' || value === '' || !Number.isInteger(n) || n < min || n > max) {
            fail(where, value, `a whole number from ${min} to ${max}`);
        }
        return n;
    };
}

function flag(value, where) {
    if (value === true || value === 'true') {
        return true;
    }
    if (value === false || value === 'false') {
        return false;
    }
    return fail(where, value, 'true or false');
}

function labels(value, where) {
    const list = Array.isArray(value) ? value : String(value).split(',');
    const names = list.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
    if (names.length > MAX_CLASSES || names.some((v) => typeof v !== 'string' || v.length > 64 || v.includes(','))) {
        fail(where, value, `a list of at most ${MAX_CLASSES} class names`);
    }
    return names.length > 0 ? names : undefined;
}

function modelName(value, where) {
    return NAME.test(String(value)) ? String(value) : fail(where, value, 'a model name');
}

function format(value, where) {
    return FORMATS.includes(value) ? value : fail(where, value, `one of ${FORMATS.join(', ')}`);
}

/** OPTIONS: each option's visiond query parameter and its check. */
const OPTIONS = {
    minScore: { query: 'min_score', check: score },
    maxBoxes: { query: 'max', check: count(1, 100) },
    maxPoses: { query: 'max', check: count(1, 20) },
    maxHands: { query: 'max', check: count(1, 10) },
    classFilter: { query: 'classes', check: labels },
    topK: { query: 'top', check: count(1, 100) },
    multi: { query: 'multi', check: flag },
    model: { query: 'model', check: modelName },
    format: { check: format },
};

/**
 * options reads a task's options: msg.NAME when set, else the node's property NAME when not
 * empty, else visiond's default. It returns {query, format}; a bad value throws, naming it.
 */
function options(task, config, msg) {
    const query = {};
    let annotated = task.annotates ? 'png' : 'none';
    for (const name of task.options) {
        const fromMsg = msg[name] !== undefined && msg[name] !== null;
        const raw = fromMsg ? msg[name] : config[name];
        if (raw === undefined || raw === '' || raw === null) {
            continue;
        }
        const value = OPTIONS[name].check(raw, fromMsg ? `msg.${name}` : `property ${name}`);
        if (name === 'format') {
            annotated = value;
        } else if (value !== undefined) {
            query[OPTIONS[name].query] = value;
        }
    }
    if (annotated !== 'none') {
        query.annotate = true;
        query.format = annotated;
    }
    return { query, format: annotated };
}

/** TASKS: per node type, its route, options, how it fills msg and the status summary. */
const TASKS = {
    cocossd: {
        route: '/v1/detect',
        options: ['minScore', 'maxBoxes', 'classFilter', 'model', 'format'],
        annotates: true,
        fill(msg, res) {
            msg.details = res;
            msg.payload = results.detectPayload(res);
            msg.classes = results.classCounts(res);
        },
        summary: (res) => (res.length === 1 ? '1 object' : `${res.length} objects`),
    },
    mobilenet: {
        route: '/v1/classify',
        options: ['topK', 'model'],
        annotates: false,
        fill(msg, res) {
            msg.details = res;
            msg.payload = results.classifyPayload(res);
        },
        summary: (res) => (res.length > 0 ? res[0].className.split(', ')[0] : 'nothing'),
    },
    posenet: {
        route: '/v1/pose',
        options: ['minScore', 'multi', 'maxPoses', 'model', 'format'],
        annotates: true,
        fill(msg, res, query) {
            // The original's estimateSinglePose gave one pose; several only in multi-pose mode.
            msg.details = query.multi ? res : res[0] || null;
            msg.payload = results.posePayload(res);
        },
        summary: (res) => (res.length === 1 ? '1 pose' : `${res.length} poses`),
    },
    handpose: {
        route: '/v1/hands',
        options: ['maxHands', 'minScore', 'model', 'format'],
        annotates: true,
        fill(msg, res) {
            msg.details = res;
            msg.payload = results.handPayload(res);
        },
        summary: (res) => (res.length === 1 ? '1 hand' : `${res.length} hands`),
    },
};

module.exports = { FORMATS, OPTIONS, TASKS, options };
