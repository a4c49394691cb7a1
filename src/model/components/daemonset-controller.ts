// STUB: replaced by the component work. Keeps the composition root compiling.
import type { Controller, ControllerContext } from './controller.js';

export function daemonSetController(_ctx: ControllerContext): Controller {
  return { name: 'daemonset-controller', start() {} };
}
