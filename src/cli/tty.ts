// Colour on a terminal unless NO_COLOR is set (https://no-color.org) or TERM is dumb. FORCE_COLOR
// (as Node and most CLI tools read it) overrides both ways: set to anything but 0 or false, colour
// even when output goes to a file or a CI log; FORCE_COLOR=0 or false, never.
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}
