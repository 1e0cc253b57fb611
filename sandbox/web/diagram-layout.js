// Where each state of the workflow goes in the path diagram, and which boxes and edges the
// execution took: plain data, no DOM (unit-tested in test/unit/sandbox/web/diagram-layout.test.ts).

/** Box size and gaps, in SVG user units. */
export const BOX = { width: 150, height: 26, gapX: 12, gapY: 22 };

/**
 * @typedef {import('./types.js').MachineDefinition} MachineDefinition
 * @typedef {{ name: string, x: number, y: number, visited: boolean, current: boolean, title: string }} LaidOutState
 * @typedef {{ from: string, to: string, x1: number, y1: number, x2: number, y2: number, taken: boolean }} LaidOutEdge
 * @typedef {{ width: number, height: number, states: LaidOutState[], edges: LaidOutEdge[] }} Layout
 */

/**
 * Every transition of the machine: Next, Default, each Choice and each Catch.
 * @param {MachineDefinition} definition
 * @returns {[string, string][]}
 */
export function transitions(definition) {
  /** @type {[string, string][]} */
  const edges = [];
  for (const [name, s] of Object.entries(definition.States)) {
    /** @type {Set<string>} */
    const targets = new Set();
    if (s.Next) targets.add(s.Next);
    if (s.Default) targets.add(s.Default);
    (s.Choices || []).forEach((c) => targets.add(c.Next));
    (s.Catch || []).forEach((c) => targets.add(c.Next));
    targets.forEach((t) => edges.push([name, t]));
  }
  return edges;
}

/**
 * States layered by BFS depth from StartAt (simple, stable and readable for this machine's size);
 * states the BFS does not reach go in the first layer.
 * @param {MachineDefinition} definition
 * @param {string[]} path the states the execution entered, in order
 * @returns {Layout}
 */
export function layoutDiagram(definition, path) {
  const { width: W, height: H, gapX: GX, gapY: GY } = BOX;
  const states = definition.States;
  const edges = transitions(definition);
  /** @type {Record<string, number>} */
  const depth = { [definition.StartAt]: 0 };
  const queue = [definition.StartAt];
  while (queue.length) {
    const n = /** @type {string} */ (queue.shift());
    for (const [from, t] of edges) {
      if (from !== n || depth[t] !== undefined) continue;
      depth[t] = (depth[n] ?? 0) + 1;
      queue.push(t);
    }
  }
  /** @type {string[][]} */
  const layers = [];
  Object.keys(states).forEach((n) => {
    const d = depth[n] ?? 0;
    (layers[d] = layers[d] || []).push(n);
  });
  const width = Math.max(...layers.map((l) => (l ? l.length : 0))) * (W + GX) + GX;
  const height = layers.length * (H + GY) + GY;
  /** @type {Record<string, { x: number, y: number }>} */
  const pos = {};
  layers.forEach((layer, i) => layer.forEach((n, j) => (pos[n] = { x: GX + j * (W + GX), y: GY + i * (H + GY) })));
  const visited = new Set(path);
  const current = path[path.length - 1];
  /** @type {Set<string>} */
  const taken = new Set();
  for (let i = 1; i < path.length; i++) taken.add(path[i - 1] + '→' + path[i]);
  /** @type {LaidOutEdge[]} */
  const laidOutEdges = [];
  for (const [a, b] of edges) {
    const pa = pos[a];
    const pb = pos[b];
    if (!pa || !pb) continue;
    laidOutEdges.push({
      from: a,
      to: b,
      x1: pa.x + W / 2,
      y1: pa.y + H,
      x2: pb.x + W / 2,
      y2: pb.y,
      taken: taken.has(a + '→' + b),
    });
  }
  const laidOutStates = Object.entries(pos).map(([name, p]) => {
    const comment = states[name]?.Comment;
    return {
      name,
      x: p.x,
      y: p.y,
      visited: visited.has(name),
      current: name === current,
      title: name + (comment ? ' — ' + comment : ''),
    };
  });
  return { width, height, states: laidOutStates, edges: laidOutEdges };
}
