// The Slack stand-in page: renders the Block Kit messages the real Bolt app posted to the Web API
// stand-in, and turns clicks into interactions that the sandbox server signs and sends to
// POST /slack/events as the user picked at the top. Plain browser JavaScript modules, no build
// step: type-checked by `tsc -p sandbox/web/tsconfig.json` and linted by eslint (`npm run lint`).
// This entry holds the page's state, polls the server and wires the controls; the modules beside
// it render (block-kit.js, modal.js, case-list.js, diagram.js, status.js) or are pure (mrkdwn.js,
// diagram-layout.js).
import { api } from './api.js';
import { renderMessage } from './block-kit.js';
import { renderCases } from './case-list.js';
import { drawDiagram } from './diagram.js';
import { $, el } from './dom.js';
import { renderModal } from './modal.js';
import { notify, renderBanner } from './status.js';

/**
 * @typedef {import('./types.js').SandboxState} SandboxState
 * @typedef {import('./types.js').Message} Message
 * @typedef {import('./types.js').Block} Block
 * @typedef {import('./types.js').BlockElement} BlockElement
 * @typedef {import('./types.js').MachineDefinition} MachineDefinition
 */

const state = {
  /** The sandbox user the page acts as (the picker at the top). */
  userId: '',
  /** @type {SandboxState | null} */
  data: null,
  /** @type {string | null} */
  selectedCase: null,
  /** @type {{ definition: MachineDefinition } | null} */
  workflow: null,
  /** What was last rendered, so that the DOM is rebuilt only when something changed. */
  messagesKey: '',
  casesKey: '',
};

/** @type {import('./mrkdwn.js').Names} */
const names = {
  userName(id) {
    const u = state.data && state.data.users.find((x) => x.id === id);
    return u ? u.name : id;
  },
  groupHandle(id) {
    const g = state.data && (state.data.groups || []).find((x) => x.id === id);
    return g ? g.handle : id;
  },
};

/** @type {import('./block-kit.js').RenderContext} */
const render = { names, click };

// ---- actions -------------------------------------------------------------------------------------
/**
 * @param {Message} message
 * @param {Block} block
 * @param {BlockElement} button
 */
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
    alert('The app did not accept the click: ' + /** @type {Error} */ (e).message);
  }
  await refresh();
}

/** @param {string} accountId */
async function operatorRemove(accountId) {
  try {
    const out = /** @type {{ removed?: string[] } | null} */ (
      await api('/sandbox/operator/remove-keys', { accountId })
    );
    const removed = (out && out.removed) || [];
    notify(
      removed.length
        ? `Deleted ${removed.join(', ')} of ${accountId} in the simulated console. Confirm the step in Slack to verify.`
        : `No root access key left to delete in ${accountId}.`,
    );
  } catch (e) {
    notify('Could not delete the key: ' + /** @type {Error} */ (e).message, true);
  }
  await refresh();
}

/** @param {string} caseId */
async function selectCase(caseId) {
  state.selectedCase = caseId;
  await refresh();
}

/** @type {import('./modal.js').ModalContext} */
const modal = {
  render,
  close: (viewId) => api('/sandbox/close-view', { viewId }).then(refresh),
  submit: async (viewId, values) => {
    await api('/sandbox/submit', { userId: state.userId, viewId, values });
    await refresh();
  },
};

// ---- polling -------------------------------------------------------------------------------------
async function refresh() {
  const data = /** @type {SandboxState} */ (await api(`/sandbox/state?user=${encodeURIComponent(state.userId)}`));
  state.data = data;
  renderBanner(data);
  // Rebuild the DOM only when something changed: stable elements for people and for browser tests.
  const messagesKey = JSON.stringify([state.userId, data.messages]);
  if (messagesKey !== state.messagesKey) {
    state.messagesKey = messagesKey;
    const box = $('#messages');
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
    box.innerHTML = '';
    data.messages.forEach((m) => box.append(renderMessage(m, false, render)));
    if (atBottom) box.scrollTop = box.scrollHeight;
  }
  renderModal(
    data.views.find((v) => !v.closed),
    modal,
  );
  const casesKey = JSON.stringify([state.selectedCase, data.cases]);
  if (casesKey !== state.casesKey) {
    state.casesKey = casesKey;
    renderCases(data.cases, { selected: state.selectedCase, select: selectCase, operatorRemove });
  }
  if (state.selectedCase) {
    if (!state.workflow) state.workflow = /** @type {{ definition: MachineDefinition }} */ (await api('/api/workflow'));
    const detail = /** @type {{ caseId: string, execution?: { path?: string[] } }} */ (
      await api(`/api/cases/${encodeURIComponent(state.selectedCase)}`)
    );
    drawDiagram(state.workflow.definition, {
      caseId: detail.caseId,
      path: (detail.execution && detail.execution.path) || [],
    });
  }
}

async function init() {
  /** @type {import('./types.js').User[]} */
  let users;
  // While the server starts (503) or is down, keep asking: the connection line says what happens.
  for (;;) {
    try {
      users = /** @type {SandboxState} */ (await api('/sandbox/state?user=')).users;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const picker = /** @type {HTMLSelectElement} */ ($('#user-picker'));
  users.forEach((u) => picker.append(el('option', { value: u.id }, `${u.realName} (@${u.name}, ${u.role})`)));
  state.userId = users[0]?.id ?? '';
  picker.addEventListener('change', () => {
    state.userId = picker.value;
    // A failed refresh shows on the connection line; the next poll tries again.
    refresh().catch(() => undefined);
  });
  const commandInput = /** @type {HTMLInputElement} */ ($('#command-input'));
  $('#command-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = commandInput.value.trim().replace(/^\/rootkey\s*/, '');
    try {
      await api('/sandbox/command', { userId: state.userId, text });
      commandInput.value = '';
    } catch (e) {
      notify('/rootkey was not sent: ' + /** @type {Error} */ (e).message, true);
    }
    await refresh().catch(() => undefined);
  });
  $('#start-sweep').addEventListener('click', async () => {
    try {
      await api('/sandbox/sweep', {});
      notify('Sweep started: one workflow per account; only accounts with a root key post to the channel.');
    } catch (e) {
      notify('The sweep did not start: ' + /** @type {Error} */ (e).message, true);
    }
    await refresh().catch(() => undefined);
  });
  await refresh();
  setInterval(() => refresh().catch(() => undefined), 800);
}

init().catch((e) =>
  document.body.append(el('pre', {}, 'Sandbox page failed to start: ' + /** @type {Error} */ (e).message)),
);
