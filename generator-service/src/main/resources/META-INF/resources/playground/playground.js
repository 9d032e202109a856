// Zhyper playground: the base and the adapted answers streamed side by side from the OpenAI-compatible API, and
// the z of the description (POST /zhyper/v1/modulation) as a heatmap. No build step, no dependencies.
'use strict';

const $ = (sel) => document.querySelector(sel);
// One A/B key per page: the base answer, the adapted answer and the z all come from the same arm.
const user = 'playground-' + Math.random().toString(36).slice(2, 10);
let baseModel = undefined;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

async function json(url, options) {
  const r = await fetch(url, options);
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error((body && body.error && body.error.message) || ('HTTP ' + r.status));
  return body;
}

async function loadServing() {
  try {
    const s = await json('/zhyper/v1/serving');
    baseModel = s.base_model;
    const arms = s.arms.map((a) => a.name + ' → ' + (a.checkpoint_id || 'base model')).join(', ');
    $('#serving-summary').textContent = 'base ' + s.base_model + ' · arms: ' + arms;
    const tbody = $('#arms-table tbody');
    tbody.replaceChildren(...s.arms.map((a) => el('tr', {},
      el('td', {}, a.name), el('td', {}, (100 * a.share).toFixed(1) + ' %'),
      el('td', {}, a.checkpoint_id || '(base model)'), el('td', {}, a.status || '—'), ...gateCells(a.gate))));
    $('#checkpoints-table tbody').replaceChildren(...(s.checkpoints || []).map((c) => el('tr',
      {class: c.never_served ? 'never-served' : '', 'data-checkpoint': c.checkpoint_id},
      el('td', {}, c.checkpoint_id), el('td', {}, c.status + (c.never_served ? ' (never served)' : '')),
      el('td', {}, c.arms.length ? c.arms.join(', ') : '—'), ...gateCells(c.gate))));
    $('#checkpoints-empty').hidden = (s.checkpoints || []).length > 0;
    const m = await json('/v1/models');
    $('#models-table tbody').replaceChildren(...m.data.map((d) => el('tr', {},
      el('td', {}, d.id), el('td', {}, d.zhyper ? d.zhyper.kind : ''),
      el('td', {}, d.zhyper ? d.zhyper.arms.join(', ') : ''))));
  } catch (e) {
    $('#serving-summary').textContent = 'serving info unavailable: ' + e.message;
  }
}

const pct = (v) => (100 * v).toFixed(1) + ' %';

/** The gate's cells: verdict, accuracy vs served (items), margin, reason. */
function gateCells(g) {
  if (!g) return [el('td', {class: 'muted'}, 'not gated'), el('td', {}, ''), el('td', {}, ''), el('td', {}, '')];
  const served = g.served_accuracy === null ? 'nothing served'
    : pct(g.served_accuracy) + (g.served_checkpoint_id ? ' (' + g.served_checkpoint_id + ')' : '');
  return [el('td', {class: g.passed ? 'passed' : 'failed'}, g.passed ? 'passed' : 'failed'),
    el('td', {}, pct(g.accuracy) + ' vs ' + served + ' · ' + g.items + ' items' + (g.eval_set ? ' · ' + g.eval_set : '')),
    el('td', {}, pct(g.margin)), el('td', {}, g.reason || '')];
}

/** Streams one chat completion into pane; resolves with {final chunk, usage}. */
async function stream(body, pane) {
  const r = await fetch('/v1/chat/completions', {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
  });
  if (!r.ok) {
    const e = await r.json().catch(() => null);
    throw new Error((e && e.error && e.error.message) || ('HTTP ' + r.status));
  }
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let final = null;
  let usage = null;
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return {final, usage};
    buffer += decoder.decode(value, {stream: true});
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return {final, usage};
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices && chunk.choices[0];
        if (!choice) continue;
        if (choice.delta && choice.delta.content) pane.text.textContent += choice.delta.content;
        if (choice.finish_reason) final = chunk;
      }
    }
  }
}

function pane(kind, title) {
  const text = el('div', {class: 'text'});
  const meta = el('div', {class: 'meta'});
  const root = el('div', {class: 'answer ' + kind, 'data-done': 'false'}, el('h3', {}, title), text, meta);
  return {root, text, meta};
}

function finishPane(p, result, started, isBase) {
  const f = result.final;
  const z = f && f.zhyper;
  const parts = [];
  if (z) {
    parts.push(isBase ? 'base model (no z)' : 'checkpoint ' + (z.checkpoint_id || 'base model'));
    parts.push('arm ' + z.arm);
  }
  if (result.usage) parts.push(result.usage.completion_tokens + ' tokens');
  if (f) parts.push('finish ' + f.choices[0].finish_reason);
  parts.push((performance.now() - started).toFixed(0) + ' ms');
  p.meta.textContent = parts.join(' · ');
  if (z) {
    p.root.dataset.checkpoint = z.checkpoint_id;
    p.root.dataset.arm = z.arm;
  }
  p.root.dataset.done = 'true';
}

function failPane(p, error) {
  p.root.classList.add('error');
  p.text.textContent = error.message;
  p.root.dataset.done = 'true';
}

/** Draws the z of every site (layer × module) as a heatmap row. */
function drawZ(m) {
  const sites = m.sites.slice().sort((a, b) => a.layer - b.layer || a.module.localeCompare(b.module));
  const width = Math.max(...sites.map((s) => s.values.length));
  let max = 0;
  for (const s of sites) for (const v of s.values) max = Math.max(max, Math.abs(v));
  max = max || 1;
  const cw = Math.max(4, Math.min(32, Math.floor(720 / width)));
  const ch = 16;
  const left = 90;
  const top = 18;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const w = Math.max(left + width * cw + 10, left + 180);
  const h = top + sites.length * ch + 34;
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', w);
  svg.setAttribute('height', h);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'z heatmap: ' + sites.length + ' sites × ' + width + ' values');
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const colour = (v) => {
    const t = Math.min(1, Math.abs(v) / max);
    const [r, g, b] = v >= 0 ? [53, 85, 209] : [214, 96, 40];
    const mix = (c) => Math.round(255 + (c - 255) * t);
    return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
  };
  add('text', {x: left, y: 12}, 'component →');
  sites.forEach((s, i) => {
    const y = top + i * ch;
    add('text', {x: 0, y: y + ch - 3}, 'L' + s.layer + ' ' + s.module);
    s.values.forEach((v, j) => {
      const rect = add('rect', {class: 'z-cell', x: left + j * cw, y, width: cw - 1, height: ch - 1, fill: colour(v)});
      const title = document.createElementNS(ns, 'title');
      title.textContent = `layer ${s.layer} ${s.module} [${j}] = ${v.toFixed(4)}`;
      rect.append(title);
    });
  });
  const ly = top + sites.length * ch + 10;
  for (let k = 0; k <= 20; k++) {
    add('rect', {x: left + k * 8, y: ly, width: 8, height: 8, fill: colour(-max + (2 * max * k) / 20)});
  }
  add('text', {x: left, y: ly + 20}, (-max).toFixed(3));
  add('text', {x: left + 80, y: ly + 20, 'text-anchor': 'middle'}, '0');
  add('text', {x: left + 168, y: ly + 20, 'text-anchor': 'end'}, max.toFixed(3));
  $('#z-chart').replaceChildren(svg);
  $('#z-chart').classList.remove('muted');
  $('#z-meta').textContent = `${m.method}, ${sites.length} sites × ${width}, checkpoint ${m.checkpoint_id}, arm ${m.arm}`;
}

async function send(event) {
  if (event) event.preventDefault();
  const description = $('#description').value.trim();
  const prompt = $('#prompt').value;
  if (!prompt.trim()) {
    $('#status').textContent = 'type a message first';
    return;
  }
  const common = {
    messages: [{role: 'user', content: prompt}], stream: true, stream_options: {include_usage: true},
    max_tokens: Number($('#max-tokens').value) || 48, temperature: Number($('#temperature').value) || 0, user,
  };
  if (baseModel) common.model = baseModel;
  const base = pane('base', 'Base model');
  const adapted = pane('adapted', 'Adapted' + (description ? '' : ' (no description)'));
  const desc = el('span', {class: 'desc'}, description ? 'description: ' + description : 'no description');
  const turn = el('div', {class: 'turn'}, el('div', {class: 'user'}, desc, prompt),
    el('div', {class: 'answers'}, base.root, adapted.root));
  $('#turns').append(turn);
  $('#send').disabled = true;
  $('#status').textContent = 'streaming…';
  const started = performance.now();
  const jobs = [
    stream(common, base).then((r) => finishPane(base, r, started, true), (e) => failPane(base, e)),
  ];
  if (description) {
    jobs.push(stream({...common, description}, adapted).then((r) => finishPane(adapted, r, started, false),
      (e) => failPane(adapted, e)));
    jobs.push(json('/zhyper/v1/modulation', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({description, user}),
    }).then(drawZ, (e) => {
      $('#z-chart').textContent = 'z unavailable: ' + e.message;
    }));
  } else {
    adapted.text.textContent = '(give a description to adapt the answer)';
    adapted.root.dataset.done = 'true';
  }
  await Promise.allSettled(jobs);
  $('#send').disabled = false;
  $('#status').textContent = 'done in ' + (performance.now() - started).toFixed(0) + ' ms';
  turn.scrollIntoView({block: 'nearest'});
}

function showView(id) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== id;
  for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t.dataset.view === id);
  if (id === 'serving-view') loadServing();
}

document.addEventListener('DOMContentLoaded', async () => {
  $('#ask').addEventListener('submit', send);
  for (const t of document.querySelectorAll('.tab')) t.addEventListener('click', () => showView(t.dataset.view));
  $('#prompt').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) send(e);
  });
  await loadServing();
  // ?description=...&prompt=...&run=1 fills the form (and sends): shareable examples, screenshots
  const q = new URLSearchParams(location.search);
  if (q.has('description')) $('#description').value = q.get('description');
  if (q.has('prompt')) $('#prompt').value = q.get('prompt');
  if (q.has('max_tokens')) $('#max-tokens').value = q.get('max_tokens');
  if (q.get('run') === '1') send();
});
