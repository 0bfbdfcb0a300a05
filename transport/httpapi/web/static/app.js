// visiond's page: sends photos and camera frames to the HTTP API and draws what comes back.
// It only speaks to the API of the origin it came from; nothing is fetched from elsewhere.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  // The tasks the page offers, in this order, when a model for them is loaded.
  const TASKS = {
    detect: { label: 'Find objects', score: 0.5 },
    classify: { label: 'Name what it shows', score: null },
    pose: { label: 'Body pose', score: 0.2 },
    hands: { label: 'Hands', score: 0.5 },
  };

  // What each API error code means, in words; the server's own message follows it.
  const WORDS = {
    bad_image: 'visiond could not read this file as an image: it is not one, or it is truncated or corrupt.',
    unsupported_format: 'visiond does not read this format (TIFF, HEIF, AVIF, JPEG XL, animated WebP…). Send a JPEG, PNG, GIF, BMP or WebP.',
    too_large: 'This image is too large for visiond (too many bytes or too many pixels). Send a smaller one.',
    busy: 'visiond is busy with other images. Try again in a moment.',
    loading: 'visiond is still loading its models.',
    shutting_down: 'visiond is shutting down.',
    timeout: 'visiond took too long to answer.',
    unauthorized: 'visiond needs a valid API key.',
    unknown_task: 'No model for this task is loaded.',
    unknown_model: 'This model is not loaded.',
    bad_option: 'visiond refused a setting.',
    bad_request: 'visiond could not read the request.',
    internal: 'visiond failed on this image (an internal error).',
    network: 'visiond could not be reached.',
  };

  // Bounds on what the page holds: files taken at once, result cards kept, previews decoded.
  const MAX_FILES = 50;
  const MAX_CARDS = 30;
  const MAX_PREVIEW_BYTES = 30 << 20;
  const BUSY_RETRIES = 5;
  const REQUEST_TIMEOUT_MS = 60000;

  // PoseNet's skeleton: pairs of the 17 COCO keypoints that are drawn joined.
  const SKELETON = [
    ['leftHip', 'leftShoulder'], ['leftElbow', 'leftShoulder'], ['leftElbow', 'leftWrist'],
    ['leftHip', 'leftKnee'], ['leftKnee', 'leftAnkle'], ['rightHip', 'rightShoulder'],
    ['rightElbow', 'rightShoulder'], ['rightElbow', 'rightWrist'], ['rightHip', 'rightKnee'],
    ['rightKnee', 'rightAnkle'], ['leftShoulder', 'rightShoulder'], ['leftHip', 'rightHip'],
  ];
  const FINGERS = ['thumb', 'indexFinger', 'middleFinger', 'ringFinger', 'pinky'];
  const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#2a9d8f', '#f032e6', '#9a6324', '#0082c8', '#d62728'];

  const state = {
    key: sessionStorage.getItem('visiond.key') || '',
    keyPrompt: null,
    models: [],
    ready: null,
    readyResolve: null,
    queue: [],
    pumping: false,
    stream: null,
    live: false,
  };
  state.ready = new Promise((resolve) => { state.readyResolve = resolve; });

  // ---- the API ----

  /** An error answer of the API, or a failure to reach it. */
  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
    }
  }

  /**
   * fetch on the page's origin with the API key, if any, as Authorization: Bearer. A 401
   * asks for a key (saying so when the one sent was refused) and sends the request again.
   */
  async function api(path, opts = {}) {
    for (;;) {
      const headers = new Headers(opts.headers || {});
      if (state.key) headers.set('Authorization', 'Bearer ' + state.key);
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), REQUEST_TIMEOUT_MS);
      let res;
      try {
        res = await fetch(path, { method: opts.method || 'GET', body: opts.body, headers, signal: ctl.signal, cache: 'no-store' });
      } catch (err) {
        throw new ApiError(0, ctl.signal.aborted ? 'timeout' : 'network', String(err.message || err));
      } finally {
        clearTimeout(timer);
      }
      if (res.status !== 401 || opts.noPrompt) return res;
      await askKey(state.key !== '');
    }
  }

  /** Throws the ApiError a non-2xx answer carries. */
  async function check(res) {
    if (res.ok) return res;
    let body = null;
    try { body = await res.json(); } catch { /* not JSON: the status speaks */ }
    const e = (body && body.error) || {};
    const retry = parseFloat(res.headers.get('Retry-After'));
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, Number.isFinite(retry) ? retry : 1);
  }

  async function getJSON(path, opts) {
    return (await check(await api(path, opts))).json();
  }

  // ---- the API key ----

  /** Opens the key dialog and resolves once a key is given; wrong says the last one failed. */
  function askKey(wrong) {
    if (state.keyPrompt) return state.keyPrompt;
    const dlg = $('key-dialog');
    $('key-msg').textContent = wrong ? 'That key was refused. Check it and try again.' : '';
    $('key').value = '';
    state.keyPrompt = new Promise((resolve, reject) => {
      const done = (ok) => {
        $('key-form').removeEventListener('submit', onSubmit);
        $('key-cancel').removeEventListener('click', onCancel);
        dlg.removeEventListener('cancel', onCancel);
        dlg.close();
        state.keyPrompt = null;
        if (ok) resolve(); else reject(new ApiError(401, 'unauthorized', 'no API key given'));
      };
      const onSubmit = (ev) => {
        ev.preventDefault();
        const key = $('key').value.trim();
        if (!key) return;
        state.key = key;
        sessionStorage.setItem('visiond.key', key);
        done(true);
      };
      const onCancel = (ev) => { ev.preventDefault(); done(false); };
      $('key-form').addEventListener('submit', onSubmit);
      $('key-cancel').addEventListener('click', onCancel);
      dlg.addEventListener('cancel', onCancel);
    });
    dlg.showModal();
    $('key').focus();
    return state.keyPrompt;
  }

  // ---- status: readiness, version, models, workers ----

  function setState(text, kind) {
    const el = $('state');
    el.textContent = text;
    el.className = 'pill ' + (kind || '');
  }

  async function watchReady() {
    getJSON('/healthz').then((h) => { $('version').textContent = h.version || '–'; }).catch(() => {});
    for (let wait = 500; ; wait = Math.min(wait * 2, 4000)) {
      try {
        const res = await api('/readyz');
        if (res.ok) break;
        const e = await check(res).catch((err) => err);
        setState(e.code === 'shutting_down' ? 'visiond is shutting down' : 'Loading models… one moment', 'warn');
      } catch {
        setState('visiond cannot be reached', 'bad');
      }
      await sleep(wait);
    }
    try {
      state.models = (await getJSON('/v1/models')).models || [];
    } catch (err) {
      setState(err.code === 'unauthorized' ? 'An API key is needed' : 'Models unavailable: ' + err.message, 'bad');
      $('task').replaceChildren(new Option('Reload the page to enter a key', ''));
      return;
    }
    setState('Ready', 'ok');
    showModels();
    state.readyResolve();
    refreshMetrics();
    setInterval(() => { if (!document.hidden) refreshMetrics(); }, 5000);
  }

  function showModels() {
    const rows = state.models.map((m) => {
      const tr = document.createElement('tr');
      for (const v of [m.name + (m.default ? ' (default)' : ''), m.task, m.error ? m.status + ': ' + m.error : m.status || 'loaded']) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    });
    $('models').replaceChildren(...rows);
    const tasks = Object.keys(TASKS).filter((t) => state.models.some((m) => m.task === t && m.status !== 'error'));
    const sel = $('task');
    sel.replaceChildren(...tasks.map((t) => new Option(TASKS[t].label + ' (' + t + ')', t)));
    sel.disabled = tasks.length === 0;
    if (!tasks.length) sel.append(new Option('No model is loaded', ''));
    taskChanged();
  }

  /** The sum of a metric's samples in Prometheus text, or null when absent. */
  function metricValue(text, name) {
    let sum = null;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
      const v = parseFloat(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) sum = (sum || 0) + v;
    }
    return sum;
  }

  async function refreshMetrics() {
    const note = $('metrics-note');
    try {
      const res = await api('/metrics', { noPrompt: true });
      if (res.status === 401) {
        note.textContent = 'Queue and worker figures come from /metrics, which needs an API key here' +
          (state.key ? ' that this key does not open.' : '. The rest of the page works without them.');
        note.hidden = false;
        return;
      }
      const text = await (await check(res)).text();
      const busy = metricValue(text, 'visiond_pipeline_busy_workers');
      const workers = metricValue(text, 'visiond_pipeline_workers');
      const queue = metricValue(text, 'visiond_pipeline_queue_depth');
      $('busy').textContent = busy === null ? '–' : busy + ' of ' + workers;
      $('queue').textContent = queue === null ? '–' : String(queue);
      note.hidden = true;
    } catch (err) {
      note.textContent = 'Metrics unavailable: ' + err.message;
      note.hidden = false;
    }
  }

  // ---- settings ----

  function currentTask() { return $('task').value; }

  function taskChanged() {
    const task = currentTask();
    const def = TASKS[task] || {};
    const models = state.models.filter((m) => m.task === task && m.status !== 'error'); // failed ones are listed, not offered
    const msel = $('model');
    msel.replaceChildren(...models.map((m) => new Option(m.name, m.name, m.default, m.default)));
    msel.disabled = models.length < 2;
    $('score-field').hidden = def.score == null;
    if (def.score != null) $('min-score').value = def.score;
    scoreChanged();
    $('classes-field').hidden = task !== 'detect';
    $('top-field').hidden = task !== 'classify';
    $('multi-field').hidden = task !== 'pose';
  }

  function scoreChanged() {
    $('min-score-out').textContent = Number($('min-score').value).toFixed(2);
  }

  /** The API path and query for the chosen task and settings. */
  function request() {
    const task = currentTask();
    const q = new URLSearchParams();
    if ($('model').value) q.set('model', $('model').value);
    if (TASKS[task] && TASKS[task].score != null) q.set('min_score', $('min-score').value);
    if (task === 'detect') {
      const classes = $('classes').value.split(',').map((c) => c.trim()).filter(Boolean).slice(0, 90);
      if (classes.length) q.set('classes', classes.join(','));
    }
    if (task === 'classify') {
      const top = Math.min(20, Math.max(1, Math.round(Number($('top').value)) || 3));
      $('top').value = top;
      q.set('top', top);
    }
    if (task === 'pose' && $('multi').checked) q.set('multi', 'true');
    return { task, path: '/v1/' + encodeURIComponent(task) + '?' + q, minScore: Number($('min-score').value) };
  }

  /** POSTs an image as the raw body; waits as Retry-After says while visiond is busy. */
  async function send(req, blob, accept, retries) {
    for (let i = 0; ; i++) {
      const res = await api(req.path, {
        method: 'POST', body: blob,
        headers: { 'Content-Type': 'application/octet-stream', Accept: accept },
      });
      try {
        return await check(res);
      } catch (err) {
        if (err.code !== 'busy' || i >= retries) throw err;
        await sleep(Math.min(30, Math.max(1, err.retryAfter)) * 1000);
      }
    }
  }

  // ---- photos ----

  function addFiles(files) {
    const list = Array.from(files).slice(0, MAX_FILES);
    for (const f of list) {
      state.queue.push({ card: newCard(f.name || 'pasted image', f), blob: f, name: f.name || 'pasted-image' });
    }
    reveal($('cards').firstElementChild);
    if (files.length > MAX_FILES) toast('Only the first ' + MAX_FILES + ' files are sent.');
    pump();
  }

  async function pump() {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.queue.length) {
        const job = state.queue.shift();
        await runStill(job);
      }
    } finally {
      state.pumping = false;
    }
  }

  function newCard(title, blob) {
    const node = $('card-tpl').content.firstElementChild.cloneNode(true);
    node.querySelector('.name').textContent = title;
    node.querySelector('.sub').textContent = formatBytes(blob.size) + (blob.type ? ', ' + blob.type : '');
    node.querySelector('.msg').textContent = 'Waiting…';
    const img = node.querySelector('img');
    img.alt = 'The photo ' + title;
    img.addEventListener('error', () => node.classList.add('no-preview'));
    $('cards').prepend(node);
    $('empty').hidden = true;
    $('clear').disabled = false;
    while ($('cards').children.length > MAX_CARDS) dropCard($('cards').lastElementChild);
    return node;
  }

  /**
   * Shows the photo in its card, once visiond has answered: a photo it refused as too large
   * is never decoded in the page (the browser decodes the others off the main thread).
   */
  function preview(card, blob) {
    if (blob.size > MAX_PREVIEW_BYTES) {
      card.classList.add('no-preview');
      return;
    }
    card.url = URL.createObjectURL(blob);
    card.querySelector('img').src = card.url;
  }

  /** Scrolls the card into view when it is below the window (on a phone, under the settings). */
  function reveal(card) {
    if (!card || card.getBoundingClientRect().top < window.innerHeight) return;
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    card.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
  }

  function dropCard(card) {
    if (card.url) URL.revokeObjectURL(card.url);
    if (card.observer) card.observer.disconnect();
    card.remove();
  }

  async function runStill(job) {
    const card = job.card;
    const msg = card.querySelector('.msg');
    if (!state.models.length) msg.textContent = 'Waiting for visiond to load its models…';
    await state.ready;
    const req = request();
    msg.textContent = 'Looking…';
    card.classList.add('busy');
    const t0 = performance.now();
    try {
      const res = await send(req, job.blob, 'application/json', BUSY_RETRIES);
      const json = await res.json();
      const roundTrip = performance.now() - t0;
      card.classList.remove('busy');
      preview(card, job.blob);
      showResult(card, req, job, json, roundTrip);
    } catch (err) {
      card.classList.remove('busy');
      card.classList.add('failed');
      if (err.code === 'too_large') card.classList.add('no-preview'); else preview(card, job.blob);
      showError(msg, err);
    }
  }

  function showError(el, err) {
    const words = WORDS[err.code] || 'visiond answered with an error.';
    const strong = document.createElement('strong');
    strong.textContent = words;
    const detail = document.createElement('span');
    detail.className = 'detail';
    detail.textContent = ' ' + err.message + (err.code ? ' (' + err.code + (err.status ? ', HTTP ' + err.status : '') + ')' : '');
    el.replaceChildren(strong, detail);
    el.classList.add('error');
  }

  function showResult(card, req, job, json, roundTrip) {
    card.classList.add('done');
    card.result = json;
    card.minScore = req.minScore;
    const n = Array.isArray(json.results) ? json.results.length : 0;
    card.querySelector('.msg').textContent = summary(json, n);
    card.querySelector('.sub').textContent += ' · ' + json.width + '×' + json.height + ' · ' + json.model;
    fillTable(card, json);
    fillTimings(card.querySelector('.timings'), json.timings_ms, roundTrip);
    const stage = card.querySelector('.stage');
    const svg = card.querySelector('svg');
    const redraw = () => draw(svg, json, stage.clientWidth, stage.clientHeight, card);
    const img = card.querySelector('img');
    if (img.complete) redraw(); else img.addEventListener('load', redraw, { once: true });
    card.observer = new ResizeObserver(redraw);
    card.observer.observe(stage);
    if (card.classList.contains('no-preview')) stage.style.aspectRatio = json.width + ' / ' + json.height;

    const dl = card.querySelector('.download');
    dl.disabled = false;
    dl.addEventListener('click', () => downloadAnnotated(card, req, job));
    const copy = card.querySelector('.copy');
    copy.disabled = false;
    copy.addEventListener('click', () => copyJSON(card, json));
  }

  function summary(json, n) {
    switch (json.task) {
      case 'detect': return n ? n + (n === 1 ? ' object' : ' objects') + ' found.' : 'No object found above the minimum score.';
      case 'classify': return n ? 'Most likely ' + json.results[0].className + ' (' + pct(json.results[0].probability) + ').' : 'No class.';
      case 'pose': return n ? n + (n === 1 ? ' person' : ' people') + ' found.' : 'No person found.';
      case 'hands': return n ? n + (n === 1 ? ' hand' : ' hands') + ' found.' : 'No hand found.';
    }
    return n + ' results.';
  }

  function fillTable(card, json) {
    const table = card.querySelector('table.list');
    const head = {
      detect: ['#', 'Object', 'Score', 'Box x, y, w, h'],
      classify: ['#', 'Class', 'Probability'],
      pose: ['Person', 'Score', 'Keypoints sure'],
      hands: ['Hand', 'Confidence', 'Box x, y → x, y'],
    }[json.task] || ['#', 'Result'];
    const tr = document.createElement('tr');
    for (const h of head) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      tr.append(th);
    }
    table.tHead.replaceChildren(tr);
    const rows = (json.results || []).map((r, i) => {
      const cells = rowCells(json.task, r, i, card.minScore);
      const row = document.createElement('tr');
      row.dataset.i = i;
      row.tabIndex = 0;
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = c;
        row.append(td);
      }
      const on = () => highlight(card, i, true);
      const off = () => highlight(card, i, false);
      row.addEventListener('mouseenter', on);
      row.addEventListener('mouseleave', off);
      row.addEventListener('focus', on);
      row.addEventListener('blur', off);
      return row;
    });
    table.tBodies[0].replaceChildren(...rows);
    table.hidden = rows.length === 0;
  }

  function rowCells(task, r, i, minScore) {
    const px = (v) => Math.round(v);
    switch (task) {
      case 'detect': return [i + 1, r.class, pct(r.score), r.bbox.map(px).join(', ')];
      case 'classify': return [i + 1, r.className, pct(r.probability)];
      case 'pose': return [i + 1, pct(r.score), r.keypoints.filter((k) => k.score >= minScore).length + ' of ' + r.keypoints.length];
      case 'hands': return [i + 1, pct(r.handInViewConfidence), r.boundingBox.topLeft.map(px).join(', ') + ' → ' + r.boundingBox.bottomRight.map(px).join(', ')];
    }
    return [i + 1, JSON.stringify(r)];
  }

  function fillTimings(dl, t, roundTrip) {
    const items = [];
    for (const [k, v] of Object.entries(t || {})) items.push([k, v]);
    if (roundTrip != null) items.push(['round trip', roundTrip]);
    dl.replaceChildren(...items.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = Number(v).toFixed(1) + ' ms';
      return [dt, dd];
    }));
  }

  function highlight(card, i, on) {
    for (const el of card.querySelectorAll('[data-i="' + i + '"]')) el.classList.toggle('hot', on);
  }

  async function downloadAnnotated(card, req, job) {
    const msg = card.querySelector('.msg');
    const png = job.blob.type === 'image/png';
    try {
      const res = await send(req, job.blob, png ? 'image/png' : 'image/jpeg', BUSY_RETRIES);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = job.name.replace(/\.[^.]*$/, '') + '.annotated.' + (png ? 'png' : 'jpg');
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      showError(msg, err);
    }
  }

  async function copyJSON(card, json) {
    const text = JSON.stringify(json, null, 2);
    const btn = card.querySelector('.copy');
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without a secure context there is no clipboard API: copy from a selected text area.
      const ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.className = 'visually-hidden';
      document.body.append(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    btn.textContent = 'JSON copied';
    setTimeout(() => { btn.textContent = 'Copy JSON'; }, 2000);
  }

  // ---- drawing results over an image or the video ----

  function el(tag, attrs, parent) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (parent) parent.append(e);
    return e;
  }

  /** Black or white, whichever reads better on the #rrggbb colour bg (WCAG luminance). */
  function inkOn(bg) {
    const lin = (i) => {
      const c = parseInt(bg.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const l = 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000' : '#fff';
  }

  function colorOf(name) {
    let h = 0;
    for (const c of String(name)) h = (h * 31 + c.codePointAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  /**
   * Draws a text tag for result i with its top-left corner near (x, y - 18): just above a box,
   * or lower inside it when an earlier tag is there already, and never past the right edge.
   * Tags go on a layer above every box and bone; the tag's group is returned.
   */
  function label(i, x, y, text, color, tags) {
    const w = text.length * 7.4 + 8;
    const h = 18;
    x = Math.max(0, Math.min(x, tags.width - w));
    const free = (top) => !tags.placed.some((r) => x < r.x + r.w && r.x < x + w && top < r.y + h && r.y < top + h);
    const tries = [-1, 0, 1, 2, 3, 4, 5].map((k) => Math.max(0, y + k * h));
    const top = tries.find(free) ?? tries[0];
    tags.placed.push({ x, y: top, w });
    const g = el('g', { 'data-i': i }, tags.layer);
    el('rect', { x, y: top, width: w, height: h, fill: color, class: 'tag' }, g);
    const t = el('text', { x: x + 4, y: top + 13, fill: inkOn(color), class: 'tag-text' }, g);
    t.textContent = text;
    return g;
  }

  /** Draws json's results into svg, which covers an image shown at w×h CSS pixels. */
  function draw(svg, json, w, h, card) {
    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.dataset.drawn = json.width && json.height && w && h ? 'yes' : 'no';
    if (svg.dataset.drawn === 'no') return;
    const sx = w / json.width;
    const sy = h / json.height;
    const results = json.results || [];
    const tags = { width: w, placed: [], layer: el('g', { class: 'tags' }) };
    const hover = (g, i) => {
      if (!card) return;
      g.addEventListener('mouseenter', () => highlight(card, i, true));
      g.addEventListener('mouseleave', () => highlight(card, i, false));
    };
    switch (json.task) {
      case 'detect': {
        // Large boxes first, so that small ones stay on top and reachable by the pointer.
        const order = results.map((r, i) => i).sort((a, b) => area(results[b].bbox) - area(results[a].bbox));
        for (const i of order) {
          const d = results[i];
          const color = colorOf(d.class);
          const g = el('g', { class: 'det', 'data-i': i }, svg);
          el('rect', { x: d.bbox[0] * sx, y: d.bbox[1] * sy, width: d.bbox[2] * sx, height: d.bbox[3] * sy, stroke: color, class: 'box' }, g);
          hover(g, i);
          hover(label(i, d.bbox[0] * sx, d.bbox[1] * sy, d.class + ' ' + pct(d.score), color, tags), i);
        }
        break;
      }
      case 'classify': {
        results.forEach((c, i) => {
          const g = label(i, 6, 26 + i * 22, c.className + ' ' + pct(c.probability), i === 0 ? '#1f6f43' : '#3b4252', tags);
          g.classList.add('cap');
          hover(g, i);
        });
        break;
      }
      case 'pose': {
        const min = card ? card.minScore : Number($('min-score').value);
        results.forEach((p, i) => {
          const color = PALETTE[i % PALETTE.length];
          const g = el('g', { class: 'pose', 'data-i': i }, svg);
          const at = Object.fromEntries(p.keypoints.map((k) => [k.part, k]));
          for (const [a, b] of SKELETON) {
            const ka = at[a];
            const kb = at[b];
            if (!ka || !kb || ka.score < min || kb.score < min) continue;
            el('line', { x1: ka.position.x * sx, y1: ka.position.y * sy, x2: kb.position.x * sx, y2: kb.position.y * sy, stroke: color, class: 'bone' }, g);
          }
          // Every keypoint is drawn; those scoring under the minimum as hollow rings, as
          // guesses (a hidden ear, a limb out of view).
          for (const k of p.keypoints) {
            const sure = k.score >= min;
            el('circle', {
              cx: k.position.x * sx, cy: k.position.y * sy, r: 4,
              fill: sure ? color : 'none', stroke: sure ? '#fff' : color, class: sure ? 'kp' : 'kp low',
            }, g);
          }
          hover(g, i);
        });
        break;
      }
      case 'hands': {
        results.forEach((hand, i) => {
          const color = PALETTE[(i + 2) % PALETTE.length];
          const g = el('g', { class: 'hand', 'data-i': i }, svg);
          const [x1, y1] = hand.boundingBox.topLeft;
          const [x2, y2] = hand.boundingBox.bottomRight;
          el('rect', { x: x1 * sx, y: y1 * sy, width: (x2 - x1) * sx, height: (y2 - y1) * sy, stroke: color, class: 'box' }, g);
          const base = (hand.annotations.palmBase || [])[0];
          for (const f of FINGERS) {
            const pts = [base, ...(hand.annotations[f] || [])].filter(Boolean);
            el('polyline', { points: pts.map((p) => p[0] * sx + ',' + p[1] * sy).join(' '), stroke: color, class: 'bone' }, g);
          }
          for (const p of hand.landmarks) el('circle', { cx: p[0] * sx, cy: p[1] * sy, r: 3, fill: color, stroke: '#fff', class: 'kp' }, g);
          hover(g, i);
          hover(label(i, x1 * sx, y1 * sy, 'hand ' + pct(hand.handInViewConfidence), color, tags), i);
        });
        break;
      }
    }
    svg.append(tags.layer);
  }

  function area(b) { return b[2] * b[3]; }

  // ---- the camera ----

  const camera = {
    canvas: document.createElement('canvas'),
    frames: 0,
    answered: [],
  };

  async function toggleCamera() {
    if (state.stream) { stopCamera(); return; }
    const msg = $('cam-msg');
    msg.classList.remove('error');
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      msg.textContent = window.isSecureContext
        ? 'This browser offers no camera to web pages.'
        : 'No camera here: this page was opened over plain http:// from another machine. Open it with https:// (or on localhost).';
      msg.classList.add('error');
      return;
    }
    msg.textContent = 'Asking for the camera…';
    try {
      state.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: $('facing').value }, width: { ideal: 640 }, height: { ideal: 480 } },
      });
    } catch (err) {
      msg.textContent = {
        NotAllowedError: 'The camera was refused. Allow it in the browser’s site settings and try again.',
        NotFoundError: 'No camera was found.',
        NotReadableError: 'The camera is in use by another program.',
      }[err.name] || 'The camera could not start: ' + err.message;
      msg.classList.add('error');
      return;
    }
    const video = $('video');
    video.srcObject = state.stream;
    $('cam-view').hidden = false;
    await video.play().catch(() => {});
    msg.textContent = 'Camera on. Take a photo, or go live.';
    $('cam-start').textContent = 'Stop camera';
    $('cam-shot').disabled = false;
    $('cam-live').disabled = false;
  }

  function stopCamera() {
    state.live = false;
    for (const t of state.stream.getTracks()) t.stop();
    state.stream = null;
    $('video').srcObject = null;
    $('cam-view').hidden = true;
    $('cam-start').textContent = 'Start camera';
    $('cam-shot').disabled = true;
    $('cam-live').disabled = true;
    $('cam-live').setAttribute('aria-pressed', 'false');
    $('cam-msg').textContent = 'Camera off.';
  }

  /** The current video frame as a JPEG, at most 640 pixels wide. */
  function grabFrame() {
    const video = $('video');
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return Promise.resolve(null);
    const scale = Math.min(1, 640 / vw);
    const c = camera.canvas;
    c.width = Math.round(vw * scale);
    c.height = Math.round(vh * scale);
    c.getContext('2d').drawImage(video, 0, 0, c.width, c.height);
    return new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', 0.85));
  }

  async function takePhoto() {
    const blob = await grabFrame();
    if (!blob) return;
    const name = 'camera-' + new Date().toISOString().slice(11, 19).replaceAll(':', '') + '.jpg';
    state.queue.push({ card: newCard(name, blob), blob, name });
    reveal($('cards').firstElementChild);
    pump();
  }

  function toggleLive() {
    if (state.live) {
      state.live = false;
      return;
    }
    state.live = true;
    $('cam-live').setAttribute('aria-pressed', 'true');
    $('cam-live').textContent = 'Stop live';
    liveLoop().finally(() => {
      state.live = false;
      $('cam-live').setAttribute('aria-pressed', 'false');
      $('cam-live').textContent = 'Live';
      $('cam-overlay').replaceChildren();
    });
  }

  /**
   * Sends frames one after the other: the next leaves only when the last was answered, so a
   * tab never has more than one request in flight and never builds a queue.
   */
  async function liveLoop() {
    const msg = $('cam-msg');
    msg.classList.remove('error');
    msg.textContent = 'Live: sending frames.';
    camera.frames = 0;
    camera.answered = [];
    await state.ready;
    while (state.live && state.stream) {
      const blob = await grabFrame();
      if (!blob) { await sleep(100); continue; }
      const req = request();
      const t0 = performance.now();
      let json;
      try {
        json = await (await send(req, blob, 'application/json', 0)).json();
      } catch (err) {
        if (err.code === 'busy' || err.code === 'loading') {
          const s = Math.min(30, Math.max(1, err.retryAfter));
          msg.textContent = 'visiond is busy: waiting ' + s + ' s, as it asks.';
          await sleep(s * 1000);
          continue;
        }
        showError(msg, err);
        if (['unauthorized', 'unknown_task', 'unknown_model', 'bad_option', 'shutting_down'].includes(err.code)) return;
        await sleep(1000);
        continue;
      }
      // Frames per second and the mean latency over the last two seconds.
      const now = performance.now();
      const recent = camera.answered;
      camera.frames++;
      recent.push({ at: now, ms: now - t0 });
      while (recent.length > 1 && now - recent[0].at > 2000) recent.shift();
      const span = (now - recent[0].at) / 1000;
      $('live-fps').textContent = (span > 0 ? (recent.length - 1) / span : 0).toFixed(1);
      $('live-latency').textContent = Math.round(recent.reduce((sum, r) => sum + r.ms, 0) / recent.length);
      $('live-frames').textContent = camera.frames + (camera.frames === 1 ? ' frame' : ' frames');
      if (msg.classList.contains('error') || msg.textContent.startsWith('visiond is busy')) {
        msg.classList.remove('error');
        msg.textContent = 'Live: sending frames.';
      }
      const video = $('video');
      draw($('cam-overlay'), json, video.clientWidth, video.clientHeight, null);
      liveList(json);
    }
    msg.textContent = state.stream ? 'Live stopped.' : 'Camera off.';
  }

  function liveList(json) {
    const items = (json.results || []).slice(0, 5).map((r, i) => {
      const li = document.createElement('li');
      li.textContent = rowCells(json.task, r, i, Number($('min-score').value)).slice(1, 3).join(' ');
      return li;
    });
    $('live-results').replaceChildren(...items);
  }

  // ---- helpers ----

  function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
  function pct(v) { return (v * 100).toFixed(v >= 0.995 || v < 0.1 ? 1 : 0) + '%'; }
  function formatBytes(n) {
    if (n < 1024) return n + ' bytes';
    if (n < 1 << 20) return (n / 1024).toFixed(0) + ' KB';
    return (n / (1 << 20)).toFixed(1) + ' MB';
  }
  function toast(text) {
    const p = document.createElement('p');
    p.className = 'msg';
    p.textContent = text;
    $('cards').prepend(p);
    setTimeout(() => p.remove(), 6000);
  }

  // ---- wiring ----

  $('task').addEventListener('change', taskChanged);
  $('min-score').addEventListener('input', scoreChanged);
  $('pick').addEventListener('change', (ev) => {
    addFiles(ev.target.files);
    ev.target.value = '';
  });
  const drop = $('drop');
  document.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    drop.classList.add('over');
  });
  document.addEventListener('dragleave', (ev) => {
    if (!ev.relatedTarget) drop.classList.remove('over');
  });
  document.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    if (ev.dataTransfer && ev.dataTransfer.files.length) addFiles(ev.dataTransfer.files);
  });
  document.addEventListener('paste', (ev) => {
    const files = ev.clipboardData ? ev.clipboardData.files : [];
    if (files.length) {
      ev.preventDefault();
      addFiles(files);
    }
  });
  $('clear').addEventListener('click', () => {
    for (const c of [...$('cards').children]) dropCard(c);
    $('empty').hidden = false;
    $('clear').disabled = true;
  });
  $('cam-start').addEventListener('click', toggleCamera);
  $('cam-shot').addEventListener('click', takePhoto);
  $('cam-live').addEventListener('click', toggleLive);
  $('facing').addEventListener('change', async () => {
    if (!state.stream) return;
    const live = state.live;
    stopCamera();
    await toggleCamera();
    if (live && state.stream) toggleLive();
  });
  if (!window.isSecureContext) $('camera-note').classList.add('warn');

  watchReady();
})();
