// STUB: replaced by the component work (the kubelet: node registration, lease renewal, node status,
// pod lifecycle). Keeps the composition root compiling.
import type { NodeSpec } from '../../scenario/types.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import { Process } from './process.js';

export class Kubelet extends Process {
  constructor(ctx: ModelContext, host: Host, readonly spec: NodeSpec) {
    super(ctx, host, `kubelet/${spec.name}`, 'kubelet');
  }
  protected override get traced(): boolean {
    return false;
  }
  protected onStart(): void {}
}
