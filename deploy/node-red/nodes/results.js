'use strict';
// What each node puts into msg.payload besides visiond's full result: the short values the
// TensorFlow.js nodes of node-red-contrib-tensorflow 0.5.0 set, so that flows built on them
// keep working. Pure functions of visiond's JSON `results`.

/** Keypoints scoring above this go into posenet's msg.payload, as in the original node. */
const POSE_MIN_SCORE = 0.6;

/** HAND_POINTS are handpose's msg.payload keys and the landmark index each one reads. */
const HAND_POINTS = [
    ['palmBase', 0],
    ['thumb', 4],
    ['indexFinger', 8],
    ['middleFinger', 12],
    ['ringFinger', 16],
    ['pinky', 20],
];

/** detectPayload is the first (best) object's class name, or null when there is none. */
function detectPayload(results) {
    return results.length > 0 ? results[0].class : null;
}

/** classCounts counts the objects of each class: {"airplane": 2, "person": 1}. */
function classCounts(results) {
    const counts = {};
    for (const r of results) {
        counts[r.class] = (counts[r.class] || 0) + 1;
    }
    return counts;
}

/** classifyPayload splits the top class's name into its synonyms, or is null without one. */
function classifyPayload(results) {
    return results.length > 0 && results[0].className ? results[0].className.split(', ') : null;
}

/**
 * posePayload maps each part of the first pose that scores above 0.6 to its {x, y}, plus a
 * `center` halfway between the shoulders when both are there; null when no part qualifies.
 */
function posePayload(results) {
    const parts = {};
    const pose = results[0];
    for (const k of pose ? pose.keypoints : []) {
        if (k.score > POSE_MIN_SCORE) {
            parts[k.part] = { x: k.position.x, y: k.position.y };
        }
    }
    const l = parts.leftShoulder;
    const r = parts.rightShoulder;
    if (l && r) {
        parts.center = { x: (l.x + r.x) / 2, y: (l.y + r.y) / 2 };
    }
    return Object.keys(parts).length > 0 ? parts : null;
}

/** handPayload gives the palm base and the five finger tips of the first hand, or null. */
function handPayload(results) {
    if (results.length === 0) {
        return null;
    }
    const points = {};
    for (const [name, index] of HAND_POINTS) {
        const [x, y] = results[0].landmarks[index];
        points[name] = { x, y };
    }
    return points;
}

/** dataUriBuffer decodes the bytes of a base64 `data:` URI such as visiond's `annotated`. */
function dataUriBuffer(uri) {
    const comma = typeof uri === 'string' && uri.startsWith('data:') ? uri.indexOf(';base64,') : -1;
    if (comma < 0) {
        return null;
    }
    return Buffer.from(uri.slice(comma + 8), 'base64');
}

module.exports = { classCounts, classifyPayload, dataUriBuffer, detectPayload, handPayload, posePayload };
