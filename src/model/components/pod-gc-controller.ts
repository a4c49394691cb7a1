// STUB: replaced by the component work. Keeps the composition root compiling.
import type { Controller, ControllerContext } from './controller.js';

export function podGcController(_ctx: ControllerContext): Controller {
  return { name: 'pod-gc-controller', start() {} };
}
