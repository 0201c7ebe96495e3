// The report's chart, drawn as SVG by hand: one panel per headline number, one bar per
// target (median of the runs, with a whisker from the slowest to the fastest run).
import { cell, type Result } from "./summary";

interface Panel {
  title: string;
  scenario: string;
  metric: string;
  unit: string;
}

const PANELS: Panel[] = [
  { title: "One room of 1,000, 10 senders: deliveries/s", scenario: "one-room", metric: "deliveriesPerSecond", unit: "/s" },
  { title: "1,000 rooms of 5: deliveries/s", scenario: "small-rooms", metric: "deliveriesPerSecond", unit: "/s" },
  { title: "Light load (20 msg/s to 1,000): p99 latency", scenario: "light-load", metric: "p99ms", unit: " ms" },
  { title: "Connect storm of 10,000: time to all joined", scenario: "connect-storm", metric: "connectAllMs", unit: " ms" },
  { title: "Idle memory per joined connection", scenario: "connect-storm", metric: "idleKiBPerConnection", unit: " KiB" },
];
const TARGETS = [
  { name: "chatloop", color: "#d9480f" },
  { name: "plain-socketio", color: "#1971c2" },
  { name: "raw-bun", color: "#5c940d" },
];
const WIDTH = 760;
const PANEL_HEIGHT = 120;
const LABEL_WIDTH = 130;
const BAR_HEIGHT = 22;

export function chartSvg(results: Result[]): string {
  const panels = PANELS.filter((panel) => TARGETS.some((target) => cell(results, panel.scenario, target.name, panel.metric)));
  const parts = panels.map((panel, p) => drawPanel(results, panel, p * PANEL_HEIGHT + 10));
  const height = panels.length * PANEL_HEIGHT + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height + 16}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="${height + 6}" fill="#495057">Bars: median of the runs; whiskers: slowest to fastest run. Lower is better for ms and KiB.</text>
${parts.join("\n")}
</svg>
`;
}

function drawPanel(results: Result[], panel: Panel, top: number): string {
  const cells = TARGETS.map((target) => ({ target, cell: cell(results, panel.scenario, target.name, panel.metric) }));
  // Scaled to the medians: one wild run must not flatten the bars; its whisker is cut at the edge.
  const largest = Math.max(...cells.map(({ cell }) => cell?.median ?? 0)) * 1.3 || 1;
  const scale = (value: number) => ((WIDTH - LABEL_WIDTH - 110) * Math.min(value, largest)) / largest;
  const rows = cells.map(({ target, cell }, i) => {
    const y = top + 22 + i * (BAR_HEIGHT + 6);
    const label = `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${target.name}</text>`;
    if (!cell) return `${label}<text x="${LABEL_WIDTH}" y="${y + 15}" fill="#868e96">not measured</text>`;
    const x = LABEL_WIDTH;
    const whisker = `<line x1="${x + scale(cell.min)}" x2="${x + scale(cell.max)}" y1="${y + BAR_HEIGHT / 2}" y2="${y + BAR_HEIGHT / 2}" stroke="#212529" stroke-width="1.5"/>`;
    const value = `<text x="${x + scale(cell.max) + 6}" y="${y + 15}">${format(cell.median)}${panel.unit}</text>`;
    return `${label}<rect x="${x}" y="${y}" width="${Math.max(1, scale(cell.median))}" height="${BAR_HEIGHT}" fill="${target.color}"/>${whisker}${value}`;
  });
  return `<text x="10" y="${top + 12}" font-weight="bold">${panel.title}</text>\n${rows.join("\n")}`;
}

export const format = (value: number) => (value >= 1000 ? Math.round(value).toLocaleString("en-US") : String(Math.round(value * 10) / 10));
