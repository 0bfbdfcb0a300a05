'use strict';
// The nodes cocossd, mobilenet, posenet and handpose: drop-in replacements of the
// TensorFlow.js nodes of node-red-contrib-tensorflow, with visiond doing the work.

const { attach } = require('./lifecycle');
const { call, VisiondError } = require('./client');
const { dataUriBuffer } = require('./results');
const { TASKS, options } = require('./tasks');

/** imageBuffer returns msg.payload as a Buffer (also from its JSON form), or throws. */
function imageBuffer(payload) {
    if (Buffer.isBuffer(payload) && payload.length > 0) {
        return payload;
    }
    if (payload && payload.type === 'Buffer' && Array.isArray(payload.data) && payload.data.length > 0) {
        return Buffer.from(payload.data);
    }
    throw new Error('msg.payload must be a Buffer holding a JPEG or PNG image');
}

module.exports = function (RED) {
    for (const [type, task] of Object.entries(TASKS)) {
        RED.nodes.registerType(type, function VisionNode(config) {
            RED.nodes.createNode(this, config);
            attach(RED, this, config, async (msg, ctx) => {
                const image = imageBuffer(msg.payload);
                const { query, format } = options(task, config, msg);
                const answer = await call(ctx.server, { route: task.route, query, body: image }, ctx.signal, ctx.retrying);
                if (!answer || !Array.isArray(answer.results)) {
                    throw new VisiondError(`visiond's answer to ${task.route} has no results`, 'bad_answer');
                }
                task.fill(msg, answer.results, query);
                if (format !== 'none') {
                    // As the original nodes: the input itself when nothing was found.
                    msg.annotatedInput = msg.payload === null ? image : dataUriBuffer(answer.annotated);
                    if (!msg.annotatedInput) {
                        throw new VisiondError(`visiond's answer to ${task.route} has no annotated image`, 'bad_answer');
                    }
                }
                return task.summary(answer.results);
            });
        });
    }
};
