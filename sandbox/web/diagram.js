// The path diagram: the workflow's states as SVG boxes, the execution's path highlighted.
import { $, el, svgEl } from './dom.js';
import { BOX, layoutDiagram } from './diagram-layout.js';

/**
 * @param {import('./types.js').MachineDefinition | undefined} definition
 * @param {{ caseId: string, path: string[] } | undefined} detail
 */
export function drawDiagram(definition, detail) {
  const root = $('#diagram');
  root.innerHTML = '';
  if (!definition || !detail) return;
  $('#diagram-hint').textContent = detail.path.length
    ? `Execution of ${detail.caseId}: ${detail.path.length} states entered.`
    : `${detail.caseId} has no execution in this run of the sandbox (it ran before a restart); its evidence report tells what happened.`;
  const layout = layoutDiagram(definition, detail.path);
  const { width: W, height: H } = BOX;
  // Scaled to the panel's width (the full machine is wider than the side panel); hover a box for its name.
  const svg = svgEl('svg', {
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: '100%',
    preserveAspectRatio: 'xMidYMin meet',
    'data-testid': 'diagram-svg',
  });
  for (const e of layout.edges) {
    svg.append(
      svgEl('line', {
        x1: e.x1,
        y1: e.y1,
        x2: e.x2,
        y2: e.y2,
        stroke: e.taken ? '#1264a3' : '#ccc',
        'stroke-width': e.taken ? 2.5 : 1,
      }),
    );
  }
  for (const s of layout.states) {
    const g = svgEl('g');
    const rect = svgEl('rect', {
      x: s.x,
      y: s.y,
      width: W,
      height: H,
      rx: 5,
      fill: s.visited ? (s.current ? '#1264a3' : '#d6e9f8') : '#fff',
      stroke: s.visited ? '#1264a3' : '#bbb',
    });
    if (s.visited) g.setAttribute('data-visited', 'true');
    const text = svgEl('text', { x: s.x + 6, y: s.y + 17, fill: s.current ? '#fff' : '#1d1c1d' });
    text.textContent = s.name.length > 22 ? s.name.slice(0, 21) + '…' : s.name;
    const title = svgEl('title');
    title.textContent = s.title;
    g.append(rect, text, title);
    svg.append(g);
  }
  root.append(svg);
  if (detail.path.length) root.append(el('p', { class: 'hint', 'data-testid': 'path-text' }, detail.path.join(' → ')));
}
