import { BOX, layoutDiagram, transitions } from '../../../../sandbox/web/diagram-layout.js';

/** Where the sandbox page draws each state of the workflow, and what it marks as taken. */

const machine = {
  StartAt: 'Detect',
  States: {
    Detect: { Next: 'HasKey', Catch: [{ Next: 'Failed' }] },
    HasKey: { Choices: [{ Next: 'Remediate' }], Default: 'Compliant', Comment: 'Any root key?' },
    Remediate: { Next: 'Compliant' },
    Compliant: {},
    Failed: {},
    Orphan: {},
  },
};
const step = { x: BOX.width + BOX.gapX, y: BOX.height + BOX.gapY };

describe('the path diagram layout', () => {
  it('follows Next, Default, Choices and Catch, once per pair', () => {
    expect(transitions(machine)).toEqual([
      ['Detect', 'HasKey'],
      ['Detect', 'Failed'],
      ['HasKey', 'Compliant'],
      ['HasKey', 'Remediate'],
      ['Remediate', 'Compliant'],
    ]);
  });

  it('puts each state in the row of its distance from StartAt, in the order of the definition; unreachable ones in the first row', () => {
    const layout = layoutDiagram(machine, []);
    const at = Object.fromEntries(layout.states.map((s) => [s.name, [s.x, s.y]]));
    expect(at).toEqual({
      Detect: [BOX.gapX, BOX.gapY],
      Orphan: [BOX.gapX + step.x, BOX.gapY],
      HasKey: [BOX.gapX, BOX.gapY + step.y],
      Failed: [BOX.gapX + step.x, BOX.gapY + step.y],
      Remediate: [BOX.gapX, BOX.gapY + 2 * step.y],
      Compliant: [BOX.gapX + step.x, BOX.gapY + 2 * step.y],
    });
    expect(layout.width).toBe(2 * step.x + BOX.gapX);
    expect(layout.height).toBe(3 * step.y + BOX.gapY);
    expect(layout.states.find((s) => s.name === 'HasKey')?.title).toBe('HasKey — Any root key?');
  });

  it('marks the states entered, the one the execution is in, and only the edges it took', () => {
    const layout = layoutDiagram(machine, ['Detect', 'HasKey', 'Remediate']);
    expect(layout.states.filter((s) => s.visited).map((s) => s.name)).toEqual(['Detect', 'HasKey', 'Remediate']);
    expect(layout.states.filter((s) => s.current).map((s) => s.name)).toEqual(['Remediate']);
    expect(layout.edges.filter((e) => e.taken).map((e) => `${e.from}→${e.to}`)).toEqual([
      'Detect→HasKey',
      'HasKey→Remediate',
    ]);
    const edge = layout.edges.find((e) => e.from === 'Detect' && e.to === 'HasKey');
    expect(edge).toMatchObject({
      x1: BOX.gapX + BOX.width / 2,
      y1: BOX.gapY + BOX.height,
      x2: BOX.gapX + BOX.width / 2,
      y2: BOX.gapY + step.y,
    });
  });
});
