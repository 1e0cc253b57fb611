// The Slack stand-in page: renders the Block Kit messages the real Bolt app posted to the Web API
// stand-in, and turns clicks into interactions that the sandbox server signs and sends to
// POST /slack/events as the user picked at the top. Plain browser JavaScript, no build step.
(function () {
  'use strict';

  const state = { userId: null, data: null, selectedCase: null, workflow: null, caseDetail: null, openConfirm: null };
  const $ = (sel) => document.querySelector(sel);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // The per-run token the server wrote into this page; state-changing routes refuse requests without it.
  function tokenHeader() {
    const meta = document.querySelector('meta[name="rootkey-sandbox-token"]');
    return meta ? { 'x-rootkey-sandbox-token': meta.getAttribute('content') } : {};
  }

  async function api(path, body) {
    let res;
    try {
      res = await fetch(
        path,
        body === undefined
          ? {}
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...tokenHeader() },
              body: JSON.stringify(body),
            },
      );
    } catch {
      setConnection('unreachable');
      throw new Error('The sandbox server is unreachable (stopped or restarting).');
    }
    if (res.status === 503) {
      setConnection('starting');
      throw new Error('The sandbox server is starting; try again in a moment.');
    }
    setConnection('ok');
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { text };
    }
    if (!res.ok) throw new Error((json && (json.error || json.message)) || res.statusText);
    return json;
  }

  // ---- connection and banner ---------------------------------------------------------------------
  // What the page shows must be true now: when the server is down or starting, say so instead of
  // leaving the last state on screen as if it were current.
  function setConnection(kind) {
    const box = $('#connection');
    if (!box || box.dataset.kind === kind) return;
    box.dataset.kind = kind;
    box.hidden = kind === 'ok';
    box.textContent =
      kind === 'starting'
        ? 'The sandbox server is starting… The page updates as soon as it answers.'
        : kind === 'unreachable'
          ? 'The sandbox server is unreachable (stopped or restarting). What you see below may be out of date; retrying…'
          : '';
    document.body.classList.toggle('stale', kind !== 'ok');
  }
  function notify(text, bad) {
    const box = $('#notice');
    box.textContent = text;
    box.className = 'notice' + (bad ? ' bad' : '');
    box.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(() => (box.hidden = true), 6000);
  }
  function renderBanner(data) {
    const banner = $('#banner');
    const earlier = data.cases.filter((c) => c.fromEarlierRun).length;
    const started = new Date(data.startedAt).toLocaleString();
    banner.textContent =
      `Sandbox started ${started}. The simulated organization starts fresh on every start: keys deleted in an ` +
      `earlier run are back, and this Slack channel starts empty. Cases and evidence are kept in ${data.dataDir}` +
      (earlier
        ? ` (${earlier} case${earlier === 1 ? '' : 's'} from an earlier run; any left open then were closed as failed).`
        : '.');
    if (state.startedAt && state.startedAt !== data.startedAt) notify('The sandbox restarted: see the banner above.');
    state.startedAt = data.startedAt;
  }

  // ---- mrkdwn ------------------------------------------------------------------------------
  // The app escapes &, < and > itself; here links, mentions and emphasis are turned into DOM,
  // never into HTML strings, so nothing from a message can inject markup into the page.
  function groupHandle(id) {
    const g = state.data && (state.data.groups || []).find((x) => x.id === id);
    return g ? g.handle : id;
  }
  function userName(id) {
    const u = state.data && state.data.users.find((x) => x.id === id);
    return u ? u.name : id;
  }
  // <!date^1795880403^{date_short_pretty} {time}|fallback>: Slack shows the reader's local time.
  function formatSlackDate(target, fallback) {
    const seconds = Number(target.split('^')[1]);
    if (!Number.isFinite(seconds)) return decode(fallback || target);
    const d = new Date(seconds * 1000);
    return (
      d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) +
      ' ' +
      d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    );
  }
  const EMOJI = {
    rotating_light: '🚨',
    warning: '⚠️',
    information_source: 'ℹ️',
    white_check_mark: '✅',
    x: '❌',
    hourglass_flowing_sand: '⏳',
    lock: '🔒',
    key: '🔑',
    bell: '🔔',
    mega: '📣',
    heavy_check_mark: '✔️',
    no_entry: '⛔',
    clipboard: '📋',
    mag: '🔍',
    arrow_right: '➡️',
    hourglass: '⌛',
    shield: '🛡️',
    memo: '📝',
    gear: '⚙️',
    ballot_box_with_ballot: '🗳️',
  };
  function emoji(text) {
    return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
  }
  function decode(s) {
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }
  function inline(text, parent) {
    const re = /<([^<>|]+)(?:\|([^<>]*))?>|`([^`]+)`|:([a-z0-9_+-]+):|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~/g;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      if (m.index > last) parent.append(emoji(decode(text.slice(last, m.index))));
      if (m[1] !== undefined) {
        const target = m[1];
        if (target.startsWith('!date^')) parent.append(el('time', {}, formatSlackDate(target, m[2])));
        else if (target.startsWith('@'))
          parent.append(el('span', { class: 'mention' }, '@' + userName(target.slice(1))));
        else if (target.startsWith('!subteam^'))
          parent.append(
            el('span', { class: 'mention' }, '@' + (m[2] || groupHandle(target.slice(9))).replace(/^@/, '')),
          );
        else if (target.startsWith('!')) parent.append(el('span', { class: 'mention' }, '@' + target.slice(1)));
        else if (/^https?:\/\//.test(target) || target.startsWith('/'))
          parent.append(el('a', { href: decode(target), target: '_blank', rel: 'noopener' }, decode(m[2] || target)));
        else parent.append(decode(m[0]));
      } else if (m[3] !== undefined) parent.append(el('code', {}, decode(m[3])));
      else if (m[4] !== undefined) parent.append(emoji(m[0]));
      else if (m[5] !== undefined) parent.append(el('b', {}, emoji(decode(m[5]))));
      else if (m[6] !== undefined) parent.append(el('i', {}, decode(m[6])));
      else if (m[7] !== undefined) parent.append(el('s', {}, decode(m[7])));
      last = re.lastIndex;
    }
    if (last < text.length) parent.append(emoji(decode(text.slice(last))));
  }
  function mrkdwn(text) {
    const out = el('div', { class: 'mrkdwn' });
    const parts = String(text || '').split('```');
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        out.append(el('pre', {}, decode(part.replace(/^\n/, ''))));
        return;
      }
      part.split('\n').forEach((line, j, lines) => {
        const quote = line.startsWith('&gt; ');
        const holder = quote
          ? el('blockquote', { style: 'margin:0;padding-left:8px;border-left:3px solid #ddd' })
          : out;
        inline(quote ? line.slice(5) : line, holder);
        if (quote) out.append(holder);
        if (j < lines.length - 1) out.append(el('br'));
      });
    });
    return out;
  }
  function textObject(t) {
    if (!t) return el('span');
    return t.type === 'mrkdwn' ? mrkdwn(t.text) : el('span', {}, t.text);
  }

  // ---- Block Kit ------------------------------------------------------------------------------
  function renderButton(button, message, block) {
    return el(
      'button',
      {
        class: button.style || '',
        'data-action-id': button.action_id,
        onclick: () => {
          const send = () => click(message, block, button);
          if (button.confirm) confirmDialog(button.confirm, send);
          else send();
        },
      },
      button.text ? button.text.text : button.action_id,
    );
  }
  function renderBlock(block, message) {
    switch (block.type) {
      case 'header':
        return el('div', { class: 'block header' }, block.text ? emoji(block.text.text) : '');
      case 'divider':
        return el('hr', { class: 'divider' });
      case 'section': {
        const node = el('div', { class: 'block section' });
        if (block.text) node.append(textObject(block.text));
        if (block.fields) node.append(el('div', { class: 'fields' }, block.fields.map(textObject)));
        if (block.accessory && block.accessory.type === 'button')
          node.append(el('div', { class: 'actions' }, renderButton(block.accessory, message, block)));
        return node;
      }
      case 'context':
        return el(
          'div',
          { class: 'block context' },
          (block.elements || []).map((e) => (e.type === 'image' ? el('span', {}, e.alt_text || '') : textObject(e))),
        );
      case 'actions':
        return el(
          'div',
          { class: 'block actions' },
          (block.elements || []).filter((e) => e.type === 'button').map((b) => renderButton(b, message, block)),
        );
      case 'rich_text':
        return el('div', { class: 'block' }, message.text);
      default:
        return el('div', { class: 'block context' }, `[${block.type} block]`);
    }
  }
  function renderMessage(message, isReply) {
    const node = el('div', {
      class: 'msg' + (message.visibleTo ? ' ephemeral' : ''),
      'data-ts': message.ts,
      'data-testid': isReply ? 'reply' : 'message',
    });
    node.append(
      el(
        'div',
        { class: 'meta' },
        el('b', {}, 'rootkey'),
        ' ',
        new Date(Number(message.ts.split('.')[0]) * 1000).toLocaleTimeString(),
        message.visibleTo ? ' · only visible to you' : '',
        message.edited ? ' (edited)' : '',
      ),
    );
    if (message.blocks && message.blocks.length) message.blocks.forEach((b) => node.append(renderBlock(b, message)));
    else node.append(mrkdwn(message.text));
    if (!isReply && message.replies && message.replies.length) {
      node.append(
        el(
          'div',
          { class: 'thread', 'data-testid': 'thread' },
          message.replies.map((r) => renderMessage(r, true)),
        ),
      );
    }
    return node;
  }

  function confirmDialog(confirm, onYes) {
    const root = $('#confirm-root');
    const close = () => (root.innerHTML = '');
    root.append(
      el(
        'div',
        { class: 'confirm-backdrop' },
        el(
          'div',
          { class: 'modal', role: 'dialog', 'data-testid': 'confirm-dialog' },
          el('h3', {}, confirm.title ? confirm.title.text : 'Are you sure?'),
          textObject(confirm.text),
          el(
            'div',
            { class: 'buttons' },
            el('button', { onclick: close }, confirm.deny ? confirm.deny.text : 'Cancel'),
            el(
              'button',
              {
                class: confirm.style === 'danger' ? 'danger' : 'primary',
                'data-testid': 'confirm-yes',
                onclick: () => (close(), onYes()),
              },
              confirm.confirm ? confirm.confirm.text : 'Yes',
            ),
          ),
        ),
      ),
    );
  }

  function renderModal(view) {
    const root = $('#modal-root');
    // Re-render only when the modal itself changed, so polling never wipes what is being typed.
    const key = view ? JSON.stringify([view.id, view.errors || null, view.view.blocks]) : '';
    if (key === state.modalKey) return;
    state.modalKey = key;
    root.innerHTML = '';
    if (!view) return;
    const v = view.view;
    const form = el('form', { class: 'modal', role: 'dialog', 'data-testid': 'modal' });
    form.append(el('h3', {}, v.title ? v.title.text : 'Modal'));
    for (const block of v.blocks || []) {
      if (block.type === 'input') {
        const e = block.element || {};
        const id = `in-${block.block_id}-${e.action_id}`;
        form.append(el('label', { for: id }, block.label ? block.label.text : block.block_id));
        let input;
        if (e.type === 'datepicker')
          input = el('input', {
            id,
            type: 'date',
            'data-block': block.block_id,
            'data-action': e.action_id,
            value: e.initial_date || '',
          });
        else if (e.multiline)
          input = el('textarea', { id, rows: 3, 'data-block': block.block_id, 'data-action': e.action_id });
        else input = el('input', { id, type: 'text', 'data-block': block.block_id, 'data-action': e.action_id });
        form.append(input);
        if (block.hint) form.append(el('div', { class: 'hint' }, block.hint.text));
        if (view.errors && view.errors[block.block_id])
          form.append(el('div', { class: 'error', 'data-testid': 'modal-error' }, view.errors[block.block_id]));
      } else {
        form.append(renderBlock(block, { ts: '', text: '' }));
      }
    }
    form.append(
      el(
        'div',
        { class: 'buttons' },
        el(
          'button',
          { type: 'button', onclick: () => api('/sandbox/close-view', { viewId: view.id }).then(refresh) },
          v.close ? v.close.text : 'Cancel',
        ),
        el(
          'button',
          { type: 'submit', class: 'primary', 'data-testid': 'modal-submit' },
          v.submit ? v.submit.text : 'Submit',
        ),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {};
      form.querySelectorAll('[data-block]').forEach((input) => {
        values[input.dataset.block] = values[input.dataset.block] || {};
        values[input.dataset.block][input.dataset.action] = input.value;
      });
      await api('/sandbox/submit', { userId: state.userId, viewId: view.id, values });
      await refresh();
    });
    root.append(el('div', { class: 'modal-backdrop' }, form));
  }

  // ---- cases and the path diagram ---------------------------------------------------------------
  // Cases that need someone first, then the other open ones, then closed ones; newest first in each.
  function caseRank(c) {
    if (c.needsAction) return 0;
    if (!c.closedAt) return 1;
    return 2;
  }
  function sortCases(cases) {
    return cases
      .slice()
      .sort((a, b) => caseRank(a) - caseRank(b) || String(b.openedAt).localeCompare(String(a.openedAt)));
  }
  function renderCases(cases) {
    const root = $('#cases');
    root.innerHTML = '';
    if (!cases.length)
      root.append(el('p', { class: 'hint' }, 'No case yet. Cases open when the workflow finds a root key.'));
    for (const c of sortCases(cases)) {
      const node = el(
        'div',
        {
          class: 'case' + (state.selectedCase === c.caseId ? ' selected' : ''),
          'data-case-id': c.caseId,
          'data-status': c.status,
          'data-testid': 'case',
          onclick: () => selectCase(c.caseId),
        },
        el(
          'div',
          { class: 'row' },
          el('b', {}, `${c.accountName} (${c.accountId})`),
          el('span', { class: 'status ' + c.status, 'data-testid': 'case-status' }, c.status),
        ),
        el('div', { class: 'hint' }, c.caseId, ' · ', c.trigger, c.fromEarlierRun ? ' · earlier run' : ''),
        c.needsAction
          ? el('div', { class: 'needs-action', 'data-testid': 'case-needs-action' }, 'Needs action in Slack')
          : null,
        c.outcome && c.status !== 'remediated' && c.status !== 'compliant'
          ? el(
              'div',
              { class: 'outcome ' + c.status, 'data-testid': 'case-outcome' },
              c.outcome.summary,
              c.outcome.error && !c.outcome.summary.includes(c.outcome.error.message)
                ? ` (${c.outcome.error.name}: ${c.outcome.error.message})`
                : '',
            )
          : null,
        el(
          'div',
          { class: 'links' },
          c.reportUrl
            ? el('a', { href: c.reportUrl, target: '_blank', 'data-testid': 'report-link' }, 'Evidence report')
            : null,
          el('a', { href: `/api/cases/${encodeURIComponent(c.caseId)}`, target: '_blank' }, 'JSON'),
          c.canOperatorRemove
            ? el(
                'button',
                {
                  'data-testid': 'operator-remove',
                  title: 'Do what the runbook says in the (simulated) AWS console',
                  onclick: (ev) => (ev.stopPropagation(), operatorRemove(c.accountId)),
                },
                'Simulate: delete the key in the console',
              )
            : null,
        ),
      );
      root.append(node);
    }
  }

  async function selectCase(caseId) {
    state.selectedCase = caseId;
    await refresh();
  }

  function drawDiagram(definition, detail) {
    const root = $('#diagram');
    root.innerHTML = '';
    if (!definition || !detail) return;
    $('#diagram-hint').textContent = detail.path.length
      ? `Execution of ${detail.caseId}: ${detail.path.length} states entered.`
      : `${detail.caseId} has no execution in this run of the sandbox (it ran before a restart); its evidence report tells what happened.`;
    const states = definition.States;
    const edges = [];
    for (const [name, s] of Object.entries(states)) {
      const targets = new Set();
      if (s.Next) targets.add(s.Next);
      if (s.Default) targets.add(s.Default);
      (s.Choices || []).forEach((c) => targets.add(c.Next));
      (s.Catch || []).forEach((c) => targets.add(c.Next));
      targets.forEach((t) => edges.push([name, t]));
    }
    // Layer states by BFS depth from StartAt: simple, stable and readable for this machine's size.
    const depth = { [definition.StartAt]: 0 };
    const queue = [definition.StartAt];
    while (queue.length) {
      const n = queue.shift();
      edges
        .filter((e) => e[0] === n)
        .forEach(([, t]) => {
          if (depth[t] === undefined) {
            depth[t] = depth[n] + 1;
            queue.push(t);
          }
        });
    }
    const layers = [];
    Object.keys(states).forEach((n) => {
      const d = depth[n] === undefined ? 0 : depth[n];
      (layers[d] = layers[d] || []).push(n);
    });
    const W = 150,
      H = 26,
      GX = 12,
      GY = 22;
    const width = Math.max(...layers.map((l) => l.length)) * (W + GX) + GX;
    const height = layers.length * (H + GY) + GY;
    const pos = {};
    layers.forEach((layer, i) => layer.forEach((n, j) => (pos[n] = { x: GX + j * (W + GX), y: GY + i * (H + GY) })));
    const visited = new Set(detail.path);
    const taken = new Set();
    for (let i = 1; i < detail.path.length; i++) taken.add(detail.path[i - 1] + '→' + detail.path[i]);
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    // Scaled to the panel's width (the full machine is wider than the side panel); hover a box for its name.
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', '100%');
    svg.setAttribute('preserveAspectRatio', 'xMidYMin meet');
    svg.setAttribute('data-testid', 'diagram-svg');
    for (const [a, b] of edges) {
      if (!pos[a] || !pos[b]) continue;
      const line = document.createElementNS(NS, 'line');
      line.setAttribute('x1', pos[a].x + W / 2);
      line.setAttribute('y1', pos[a].y + H);
      line.setAttribute('x2', pos[b].x + W / 2);
      line.setAttribute('y2', pos[b].y);
      const on = taken.has(a + '→' + b);
      line.setAttribute('stroke', on ? '#1264a3' : '#ccc');
      line.setAttribute('stroke-width', on ? 2.5 : 1);
      svg.append(line);
    }
    for (const [n, p] of Object.entries(pos)) {
      const g = document.createElementNS(NS, 'g');
      const rect = document.createElementNS(NS, 'rect');
      rect.setAttribute('x', p.x);
      rect.setAttribute('y', p.y);
      rect.setAttribute('width', W);
      rect.setAttribute('height', H);
      rect.setAttribute('rx', 5);
      rect.setAttribute(
        'fill',
        visited.has(n) ? (n === detail.path[detail.path.length - 1] ? '#1264a3' : '#d6e9f8') : '#fff',
      );
      rect.setAttribute('stroke', visited.has(n) ? '#1264a3' : '#bbb');
      if (visited.has(n)) g.setAttribute('data-visited', 'true');
      const text = document.createElementNS(NS, 'text');
      text.setAttribute('x', p.x + 6);
      text.setAttribute('y', p.y + 17);
      text.setAttribute('fill', n === detail.path[detail.path.length - 1] ? '#fff' : '#1d1c1d');
      text.textContent = n.length > 22 ? n.slice(0, 21) + '…' : n;
      const title = document.createElementNS(NS, 'title');
      title.textContent = n + (states[n].Comment ? ' — ' + states[n].Comment : '');
      g.append(rect, text, title);
      svg.append(g);
    }
    root.append(svg);
    if (detail.path.length)
      root.append(el('p', { class: 'hint', 'data-testid': 'path-text' }, detail.path.join(' → ')));
  }

  // ---- actions -----------------------------------------------------------------------------------
  async function click(message, block, button) {
    try {
      await api('/sandbox/click', {
        userId: state.userId,
        channel: message.channel,
        messageTs: message.ts,
        actionId: button.action_id,
        blockId: block.block_id,
        value: button.value,
      });
    } catch (e) {
      alert('The app did not accept the click: ' + e.message);
    }
    await refresh();
  }
  async function operatorRemove(accountId) {
    try {
      const out = await api('/sandbox/operator/remove-keys', { accountId });
      const removed = (out && out.removed) || [];
      notify(
        removed.length
          ? `Deleted ${removed.join(', ')} of ${accountId} in the simulated console. Confirm the step in Slack to verify.`
          : `No root access key left to delete in ${accountId}.`,
      );
    } catch (e) {
      notify('Could not delete the key: ' + e.message, true);
    }
    await refresh();
  }

  async function refresh() {
    const data = await api(`/sandbox/state?user=${encodeURIComponent(state.userId)}`);
    state.data = data;
    renderBanner(data);
    // Rebuild the DOM only when something changed: stable elements for people and for browser tests.
    const messagesKey = JSON.stringify([state.userId, data.messages]);
    if (messagesKey !== state.messagesKey) {
      state.messagesKey = messagesKey;
      const box = $('#messages');
      const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
      box.innerHTML = '';
      data.messages.forEach((m) => box.append(renderMessage(m, false)));
      if (atBottom) box.scrollTop = box.scrollHeight;
    }
    renderModal(data.views.find((v) => !v.closed));
    const casesKey = JSON.stringify([state.selectedCase, data.cases]);
    if (casesKey !== state.casesKey) {
      state.casesKey = casesKey;
      renderCases(data.cases);
    }
    if (state.selectedCase) {
      if (!state.workflow) state.workflow = await api('/api/workflow');
      const detail = await api(`/api/cases/${encodeURIComponent(state.selectedCase)}`);
      drawDiagram(state.workflow.definition, {
        caseId: detail.caseId,
        path: (detail.execution && detail.execution.path) || [],
      });
    }
  }

  async function init() {
    let users;
    // While the server starts (503) or is down, keep asking: the connection line says what happens.
    for (;;) {
      try {
        users = (await api('/sandbox/state?user=')).users;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    const picker = $('#user-picker');
    users.forEach((u) => picker.append(el('option', { value: u.id }, `${u.realName} (@${u.name}, ${u.role})`)));
    state.userId = users[0].id;
    picker.addEventListener('change', () => {
      state.userId = picker.value;
      refresh();
    });
    $('#command-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = $('#command-input')
        .value.trim()
        .replace(/^\/rootkey\s*/, '');
      try {
        await api('/sandbox/command', { userId: state.userId, text });
        $('#command-input').value = '';
      } catch (e) {
        notify('/rootkey was not sent: ' + e.message, true);
      }
      await refresh().catch(() => undefined);
    });
    $('#start-sweep').addEventListener('click', async () => {
      try {
        await api('/sandbox/sweep', {});
        notify('Sweep started: one workflow per account; only accounts with a root key post to the channel.');
      } catch (e) {
        notify('The sweep did not start: ' + e.message, true);
      }
      await refresh().catch(() => undefined);
    });
    await refresh();
    setInterval(() => refresh().catch(() => undefined), 800);
  }

  init().catch((e) => document.body.append(el('pre', {}, 'Sandbox page failed to start: ' + e.message)));
})();
