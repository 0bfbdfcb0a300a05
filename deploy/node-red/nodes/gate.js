'use strict';
// Gate lets a node run a bounded number of requests at once and decides what happens to the
// messages that arrive meanwhile, so that a fast camera never builds a backlog.

/** The modes of a busy node: keep only the newest waiting message, drop newcomers, or queue. */
const MODES = ['newest', 'drop', 'queue'];
/** The longest queue of the `queue` mode; beyond it newcomers are dropped. */
const MAX_QUEUE = 100;

/** Gate runs jobs ({run: () => Promise, drop: () => void}) at most `limit` at a time. */
class Gate {
    constructor(limit, mode) {
        this.limit = limit;
        this.mode = MODES.includes(mode) ? mode : 'newest';
        this.active = 0;
        this.waiting = [];
        this.dropped = 0;
    }

    /** submit starts the job now, or lets it wait, or drops it (or an older waiting one). */
    submit(job) {
        if (this.active < this.limit) {
            this.start(job);
            return;
        }
        if (this.mode === 'drop' || (this.mode === 'queue' && this.waiting.length >= MAX_QUEUE)) {
            this.discard(job);
            return;
        }
        if (this.mode === 'newest') {
            this.waiting.splice(0).forEach((old) => this.discard(old));
        }
        this.waiting.push(job);
    }

    start(job) {
        this.active++;
        Promise.resolve().then(job.run).catch(() => {}).finally(() => {
            this.active--;
            const next = this.waiting.shift();
            if (next) {
                this.start(next);
            }
        });
    }

    discard(job) {
        this.dropped++;
        job.drop();
    }

    /** close drops every waiting job; running ones finish (or are cancelled by their owner). */
    close() {
        this.waiting.splice(0).forEach((job) => this.discard(job));
    }
}

module.exports = { Gate, MODES, MAX_QUEUE };
