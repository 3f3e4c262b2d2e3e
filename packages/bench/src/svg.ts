// Horizontal grouped bar charts as plain SVG text: no dependency, and the output diffs well.

export interface Bar {
  peer: string;
  value: number;
  /** Measured in contaminated windows only: drawn faded and labelled, not as a figure. */
  contaminated?: boolean;
}

export interface Group {
  label: string;
  bars: Bar[];
}

export interface Panel {
  title: string;
  groups: Group[];
  format(value: number): string;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const BAR_H = 14;
const BAR_GAP = 2;
const GROUP_GAP = 12;
const LABEL_W = 215;
const VALUE_W = 70;
const TITLE_H = 28;

/** A colour per peer, by family: nevio blues, Node green, C grey, redis-server red. */
export function peerColor(peer: string, nevioIndex = 0): string {
  if (peer.startsWith('nevio')) return ['#1f5fbf', '#5b9bf0', '#0b3a80', '#8fbcf7'][nevioIndex % 4];
  if (peer.startsWith('node') || peer === 'Node') return '#3c9a3c';
  if (peer.startsWith('c-epoll') || peer.startsWith('C epoll')) return '#8a8a8a';
  if (peer.startsWith('redis')) return '#c83c32';
  return '#b07cc6';
}

/** Colours for a list of peers, telling several nevio peers apart. */
export function palette(peers: string[]): Record<string, string> {
  let nevio = 0;
  const out: Record<string, string> = {};
  for (const p of peers) out[p] = peerColor(p, p.startsWith('nevio') ? nevio++ : 0);
  return out;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function panelHeight(p: Panel): number {
  const bars = p.groups.reduce((n, g) => n + g.bars.length, 0);
  return TITLE_H + bars * (BAR_H + BAR_GAP) + p.groups.length * GROUP_GAP;
}

function drawPanel(p: Panel, x: number, y: number, width: number, colors: Record<string, string>): string[] {
  const out: string[] = [];
  const barArea = width - LABEL_W - VALUE_W;
  const max = Math.max(...p.groups.flatMap((g) => g.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))), 0);
  out.push(`<text x="${x}" y="${y + 16}" font-size="14" font-weight="600">${escapeXml(p.title)}</text>`);
  let cy = y + TITLE_H;
  for (const g of p.groups) {
    const h = g.bars.length * (BAR_H + BAR_GAP);
    out.push(
      `<text x="${x + LABEL_W - 8}" y="${cy + h / 2 + 4}" font-size="12" text-anchor="end">${escapeXml(g.label)}</text>`,
    );
    for (const b of g.bars) {
      const ok = Number.isFinite(b.value) && max > 0;
      const w = ok ? Math.max(1, (b.value / max) * barArea) : 0;
      out.push(
        `<rect x="${x + LABEL_W}" y="${cy}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colors[b.peer]}"${b.contaminated ? ' fill-opacity="0.25" stroke="#c00" stroke-dasharray="3 2"' : ''}><title>${escapeXml(`${b.peer}: ${p.format(b.value)}${b.contaminated ? ' (contaminated)' : ''}`)}</title></rect>`,
        `<text x="${(x + LABEL_W + w + 4).toFixed(1)}" y="${cy + BAR_H - 3}" font-size="11" fill="${b.contaminated ? '#c00' : '#333'}">${escapeXml(ok ? `${p.format(b.value)}${b.contaminated ? ' ⚠ contaminated' : ''}` : 'n/a')}</text>`,
      );
      cy += BAR_H + BAR_GAP;
    }
    cy += GROUP_GAP;
  }
  out.push(`<line x1="${x + LABEL_W}" y1="${y + TITLE_H - 4}" x2="${x + LABEL_W}" y2="${cy - GROUP_GAP + 2}" stroke="#999"/>`);
  return out;
}

/**
 * One SVG: a title, a legend of the peers, and the panels side by side (each panelWidth wide).
 * Bars in a panel share one scale starting at zero.
 */
export function chart(title: string, subtitle: string, panels: Panel[], panelWidth = 500): string {
  const peers = [...new Set(panels.flatMap((p) => p.groups.flatMap((g) => g.bars.map((b) => b.peer))))];
  const colors = palette(peers);
  const width = panels.length * panelWidth + 20;
  const body: string[] = [
    `<text x="10" y="22" font-size="17" font-weight="700">${escapeXml(title)}</text>`,
    `<text x="10" y="40" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`,
  ];
  // The legend wraps; 7 px per character is a safe width for 12 px sans-serif.
  let lx = 10;
  let ly = 50;
  for (const peer of peers) {
    const w = 16 + peer.length * 7 + 18;
    if (lx > 10 && lx + w > width) {
      lx = 10;
      ly += 18;
    }
    body.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${colors[peer]}"/>`,
      `<text x="${lx + 16}" y="${ly + 10}" font-size="12">${escapeXml(peer)}</text>`,
    );
    lx += w;
  }
  const top = ly + 20;
  const height = top + Math.max(...panels.map(panelHeight)) + 10;
  panels.forEach((p, i) => body.push(...drawPanel(p, 10 + i * panelWidth, top, panelWidth - 10, colors)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
