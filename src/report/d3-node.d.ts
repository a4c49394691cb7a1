// d3-node 4 ships no type declarations; this is the part of its surface the timeline uses.
declare module 'd3-node' {
  import type * as d3 from 'd3';
  export class D3Node {
    constructor(options?: { selector?: string; container?: string; styles?: string });
    d3: typeof d3;
    document: Document;
    window: Window & typeof globalThis & { XMLSerializer: typeof XMLSerializer; DOMParser: typeof DOMParser };
    createSVG(
      width?: number,
      height?: number,
      attrs?: Record<string, string | number>,
    ): d3.Selection<SVGSVGElement, unknown, null, undefined>;
    svgString(): string;
  }
}
