// Block Kit as the page shows it: messages, their blocks and buttons, mrkdwn and confirm dialogs.
import { $, el } from './dom.js';
import { emoji, parseMrkdwn } from './mrkdwn.js';

/**
 * @typedef {import('./types.js').Block} Block
 * @typedef {import('./types.js').BlockElement} BlockElement
 * @typedef {import('./types.js').Message} Message
 * @typedef {import('./types.js').TextObject} TextObject
 * @typedef {import('./types.js').ConfirmObject} ConfirmObject
 * What rendering needs from the page: names for mentions, and what a button click does.
 * @typedef {{
 *   names: import('./mrkdwn.js').Names,
 *   click(message: Message, block: Block, button: BlockElement): unknown
 * }} RenderContext
 */

/**
 * @param {unknown} text
 * @param {import('./mrkdwn.js').Names} names
 */
export function mrkdwn(text, names) {
  const out = el('div', { class: 'mrkdwn' });
  for (const piece of parseMrkdwn(text, names)) {
    if (piece.kind === 'quote') {
      const quote = el('blockquote');
      piece.children.forEach((p) => quote.append(inlineNode(p)));
      out.append(quote);
    } else if (piece.kind === 'br') out.append(el('br'));
    else if (piece.kind === 'pre') out.append(el('pre', {}, piece.text));
    else out.append(inlineNode(piece));
  }
  return out;
}

/** @param {import('./mrkdwn.js').Inline} piece @returns {Node | string} */
function inlineNode(piece) {
  switch (piece.kind) {
    case 'text':
      return piece.text;
    case 'time':
      return el('time', {}, piece.text);
    case 'mention':
      return el('span', { class: 'mention' }, piece.text);
    case 'link':
      return el('a', { href: piece.href, target: '_blank', rel: 'noopener' }, piece.text);
    case 'code':
      return el('code', {}, piece.text);
    case 'bold':
      return el('b', {}, piece.text);
    case 'italic':
      return el('i', {}, piece.text);
    case 'strike':
      return el('s', {}, piece.text);
  }
}

/**
 * @param {TextObject | undefined} t
 * @param {import('./mrkdwn.js').Names} names
 */
export function textObject(t, names) {
  if (!t) return el('span');
  return t.type === 'mrkdwn' ? mrkdwn(t.text, names) : el('span', {}, t.text);
}

/**
 * @param {BlockElement} button
 * @param {Message} message
 * @param {Block} block
 * @param {RenderContext} ctx
 */
function renderButton(button, message, block, ctx) {
  return el(
    'button',
    {
      class: button.style || '',
      'data-action-id': button.action_id,
      onclick: () => {
        const send = () => ctx.click(message, block, button);
        if (button.confirm) confirmDialog(button.confirm, send, ctx.names);
        else send();
      },
    },
    button.text ? button.text.text : button.action_id,
  );
}

/**
 * @param {Block} block
 * @param {Message} message
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
export function renderBlock(block, message, ctx) {
  switch (block.type) {
    case 'header':
      return el('div', { class: 'block header' }, block.text ? emoji(block.text.text) : '');
    case 'divider':
      return el('hr', { class: 'divider' });
    case 'section': {
      const node = el('div', { class: 'block section' });
      if (block.text) node.append(textObject(block.text, ctx.names));
      if (block.fields)
        node.append(
          el(
            'div',
            { class: 'fields' },
            block.fields.map((f) => textObject(f, ctx.names)),
          ),
        );
      if (block.accessory && block.accessory.type === 'button')
        node.append(el('div', { class: 'actions' }, renderButton(block.accessory, message, block, ctx)));
      return node;
    }
    case 'context':
      return el(
        'div',
        { class: 'block context' },
        // A context block's elements are images or text objects (not interactive elements).
        (block.elements || []).map((e) =>
          e.type === 'image'
            ? el('span', {}, e.alt_text || '')
            : textObject(/** @type {TextObject} */ (/** @type {unknown} */ (e)), ctx.names),
        ),
      );
    case 'actions':
      return el(
        'div',
        { class: 'block actions' },
        (block.elements || []).filter((e) => e.type === 'button').map((b) => renderButton(b, message, block, ctx)),
      );
    case 'rich_text':
      return el('div', { class: 'block' }, message.text);
    default:
      return el('div', { class: 'block context' }, `[${block.type} block]`);
  }
}

/**
 * A message, and its thread below it (replies are not threaded further).
 * @param {Message} message
 * @param {boolean} isReply
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
export function renderMessage(message, isReply, ctx) {
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
  if (message.blocks && message.blocks.length) message.blocks.forEach((b) => node.append(renderBlock(b, message, ctx)));
  else node.append(mrkdwn(message.text, ctx.names));
  if (!isReply && message.replies && message.replies.length) {
    node.append(
      el(
        'div',
        { class: 'thread', 'data-testid': 'thread' },
        message.replies.map((r) => renderMessage(r, true, ctx)),
      ),
    );
  }
  return node;
}

/**
 * A button's `confirm` object as Slack shows it: a dialog that sends the click only on "yes".
 * @param {ConfirmObject} confirm
 * @param {() => unknown} onYes
 * @param {import('./mrkdwn.js').Names} names
 */
export function confirmDialog(confirm, onYes, names) {
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
        textObject(confirm.text, names),
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
