import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBenchmarksMarkdown, type ReportInput } from '../../../bench/lib/report';

const machine = { node: 'v20.20.2', platform: 'Linux x64', cpuModel: 'Test CPU', cores: 2, memoryGiB: 4 };

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    durationSeconds: 12,
    machine,
    command: 'npm run bench',
    sections: [
      {
        id: 'sweep',
        title: 'Organization sweep',
        rows: [
          {
            benchmark: 'Sweep throughput',
            figure: '49 accounts/s',
            comparison: 'report scan: 14/s',
            goal: '≥ 90%',
            met: true,
          },
        ],
        details: ['**Model.** 10,000 accounts.'],
      },
    ],
    ...overrides,
  };
}

describe('renderBenchmarksMarkdown', () => {
  it('puts the machine in the header and one table row per figure', () => {
    // Act
    const markdown = renderBenchmarksMarkdown(input());

    // Assess
    expect(markdown).toContain('Machine: 2 cores (Test CPU), 4.0 GiB RAM, Linux x64, Node v20.20.2.');
    expect(markdown).toContain('| Benchmark | Figure | Comparison | Goal | Met? |');
    expect(markdown).toContain('| Sweep throughput | 49 accounts/s | report scan: 14/s | ≥ 90% | yes |');
    expect(markdown).toContain('## Organization sweep\n\n**Model.** 10,000 accounts.');
  });

  it('lists missed goals with their reason', () => {
    const markdown = renderBenchmarksMarkdown(
      input({
        sections: [
          {
            id: 'cold-start',
            title: 'Lambda cold start',
            rows: [
              {
                benchmark: 'Bundle size',
                figure: '780 kB',
                comparison: '—',
                goal: '< 300 kB',
                met: false,
                note: 'zod weighs 454 kB.',
              },
            ],
            details: [],
          },
        ],
      }),
    );

    expect(markdown).toContain('| Bundle size | 780 kB | — | < 300 kB | no |');
    expect(markdown).toContain('## Goals missed\n\n- **Bundle size**: zod weighs 454 kB.');
  });

  it('marks a benchmark that could not run, with the reason', () => {
    const markdown = renderBenchmarksMarkdown(
      input({
        sections: [{ id: 'slack-ack', title: 'Slack acknowledgement', rows: [], details: [], notRun: 'no slack-app/' }],
      }),
    );

    expect(markdown).toContain('| Slack acknowledgement | not run | — | — | not run: no slack-app/ |');
    expect(markdown).toContain('Not run: no slack-app/');
  });

  it('escapes pipes and line breaks inside cells', () => {
    const markdown = renderBenchmarksMarkdown(
      input({
        sections: [
          {
            id: 'x',
            title: 'X',
            rows: [{ benchmark: 'a|b', figure: 'line\nbreak', comparison: 'c', goal: 'g', met: true }],
            details: [],
          },
        ],
      }),
    );

    expect(markdown).toContain('| a\\|b | line break | c | g | yes |');
  });
});

describe('where the results are read', () => {
  it('the README and docs/performance.md link BENCHMARKS.md instead of carrying a copy of its table', () => {
    for (const file of ['README.md', join('docs', 'performance.md')]) {
      const text = readFileSync(join(__dirname, '..', '..', '..', file), 'utf8');

      expect(text).toMatch(/\]\((\.\.\/)?BENCHMARKS\.md\)/);
      expect(text).not.toMatch(/^\| *Benchmark *\| *Figure/m);
    }
  });
});
