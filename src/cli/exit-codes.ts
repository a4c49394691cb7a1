// README.md#commands exit codes.
export const EXIT = {
  ok: 0,
  sloFailed: 1,
  badInput: 2,
  internal: 3,
  /** 128 + the signal number, as shells report it: SIGINT (Ctrl-C) and SIGTERM. */
  interrupted: 130,
  terminated: 143,
} as const;

/** Bad input found before anything was simulated: the message is already rendered for the user. */
export class BadInput extends Error {
  constructor(readonly rendered: string) {
    super(rendered);
    this.name = 'BadInput';
  }
}
