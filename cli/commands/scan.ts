import { EXIT, type CliIO } from '../io';

// Placeholder while the command is being built; replaced by its real implementation.
export async function scanCommand(_args: string[], io: CliIO): Promise<number> {
  io.stderr.write('rootkey scan: not implemented yet\n');
  return EXIT.runtimeError;
}
