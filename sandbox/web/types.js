// The shapes the page reads from the sandbox server (GET /sandbox/state, /api/cases/:id,
// /api/workflow), as JSDoc types for the type-check (sandbox/web/tsconfig.json). Types only: the
// server's own TypeScript types stay where they are; these say what the page relies on.

/**
 * @typedef {{ type: string, text: string }} TextObject
 * @typedef {{ title?: TextObject, text?: TextObject, confirm?: TextObject, deny?: TextObject, style?: string }} ConfirmObject
 * @typedef {{
 *   type: string, action_id?: string, text?: TextObject, value?: string, style?: string,
 *   confirm?: ConfirmObject, alt_text?: string, multiline?: boolean, initial_date?: string
 * }} BlockElement
 * @typedef {{
 *   type: string, block_id?: string, text?: TextObject, fields?: TextObject[], accessory?: BlockElement,
 *   elements?: BlockElement[], element?: BlockElement, label?: TextObject, hint?: TextObject
 * }} Block
 * @typedef {{
 *   ts: string, channel?: string, text: string, blocks?: Block[], replies?: Message[],
 *   visibleTo?: string, edited?: string
 * }} Message
 * @typedef {{ title?: TextObject, close?: TextObject, submit?: TextObject, blocks?: Block[] }} ModalView
 * @typedef {{ id: string, userId: string, closed?: boolean, errors?: Record<string, string>, view: ModalView }} View
 * @typedef {{ id: string, name: string, realName: string, role: string }} User
 * @typedef {{ id: string, handle: string }} Group
 * @typedef {{
 *   caseId: string, accountId: string, accountName: string, status: string, trigger: string,
 *   openedAt: string, closedAt?: string, needsAction?: boolean, fromEarlierRun?: boolean,
 *   outcome?: { status: string, summary: string, error?: { name: string, message: string } },
 *   reportUrl?: string, canOperatorRemove?: boolean
 * }} CaseSummary
 * @typedef {{
 *   mode: string, startedAt: string, dataDir: string, users: User[], channel: string, groups?: Group[],
 *   messages: Message[], views: View[], cases: CaseSummary[]
 * }} SandboxState
 * @typedef {{ Next?: string, Default?: string, Choices?: { Next: string }[], Catch?: { Next: string }[], Comment?: string }} StateDefinition
 * @typedef {{ StartAt: string, States: Record<string, StateDefinition> }} MachineDefinition
 */

export {};
