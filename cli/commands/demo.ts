import { EXIT, type CliIO } from '../io';

// Placeholder while the command is being built; replaced by its real implementation.
export async function demoCommand(_args: string[], io: CliIO): Promise<number> {
  io.stderr.write('rootkey demo: not implemented yet\n');
  return EXIT.runtimeError;
}
