// The open modal (views.open from the app), with its inputs and the errors the app answered.
import { $, el } from './dom.js';
import { renderBlock } from './block-kit.js';

/**
 * What the modal's buttons do.
 * @typedef {{
 *   render: import('./block-kit.js').RenderContext,
 *   close(viewId: string): Promise<unknown>,
 *   submit(viewId: string, values: Record<string, Record<string, string>>): Promise<unknown>
 * }} ModalContext
 */

/** Which modal is on screen, so that polling re-renders it only when it changed. */
let shownKey = '';

/**
 * @param {import('./types.js').View | undefined} view
 * @param {ModalContext} ctx
 */
export function renderModal(view, ctx) {
  const root = $('#modal-root');
  // Re-render only when the modal itself changed, so polling never wipes what is being typed.
  const key = view ? JSON.stringify([view.id, view.errors || null, view.view.blocks]) : '';
  if (key === shownKey) return;
  shownKey = key;
  root.innerHTML = '';
  if (!view) return;
  const v = view.view;
  const form = el('form', { class: 'modal', role: 'dialog', 'data-testid': 'modal' });
  form.append(el('h3', {}, v.title ? v.title.text : 'Modal'));
  for (const block of v.blocks || []) {
    if (block.type === 'input') {
      const e = block.element || { type: '' };
      const blockId = block.block_id ?? '';
      const id = `in-${blockId}-${e.action_id}`;
      form.append(el('label', { for: id }, block.label ? block.label.text : blockId));
      const data = { id, 'data-block': blockId, 'data-action': e.action_id };
      let input;
      if (e.type === 'datepicker') input = el('input', { ...data, type: 'date', value: e.initial_date || '' });
      else if (e.multiline) input = el('textarea', { ...data, rows: 3 });
      else input = el('input', { ...data, type: 'text' });
      form.append(input);
      if (block.hint) form.append(el('div', { class: 'hint' }, block.hint.text));
      const error = view.errors && view.errors[blockId];
      if (error) form.append(el('div', { class: 'error', 'data-testid': 'modal-error' }, error));
    } else {
      form.append(renderBlock(block, { ts: '', text: '' }, ctx.render));
    }
  }
  form.append(
    el(
      'div',
      { class: 'buttons' },
      el('button', { type: 'button', onclick: () => ctx.close(view.id) }, v.close ? v.close.text : 'Cancel'),
      el(
        'button',
        { type: 'submit', class: 'primary', 'data-testid': 'modal-submit' },
        v.submit ? v.submit.text : 'Submit',
      ),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    /** @type {Record<string, Record<string, string>>} */
    const values = {};
    form.querySelectorAll('[data-block]').forEach((node) => {
      const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (node);
      const block = input.dataset.block ?? '';
      const action = input.dataset.action ?? '';
      values[block] = values[block] || {};
      values[block][action] = input.value;
    });
    return ctx.submit(view.id, values);
  });
  root.append(el('div', { class: 'modal-backdrop' }, form));
}
