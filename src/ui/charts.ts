/**
 * Small SVG charts for /admin, drawn by hand (a chart library would outweigh the page):
 * lines over time and horizontal bars. Each is a figure with a caption and a text summary,
 * so the numbers are there for a screen reader too.
 */
import { h, svg } from "./dom.ts";

export interface Series {
  name: string;
  /** CSS class giving the line its colour (`series--a`, `series--b`). */
  tone: string;
  values: ReadonlyArray<number | null>;
}

const WIDTH = 360;
const HEIGHT = 120;
const PAD = { top: 8, right: 8, bottom: 18, left: 36 };

/** A line chart of equally spaced samples; `max` fixes the scale (else the data's). */
export function lineChart(options: {
  title: string;
  series: Series[];
  format: (value: number) => string;
  max?: number;
  /** What the x axis spans, e.g. "last 5 min". */
  span: string;
}): SVGSVGElement {
  const { series, format } = options;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = options.max ?? Math.max(1, ...all) * 1.15;
  const count = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => PAD.left + (i / (count - 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "chart",
    role: "img",
    "aria-label": `${options.title}, ${options.span}: ${series
      .map((s) => `${s.name} now ${latest(s.values, format)}`)
      .join("; ")}`,
  });
  for (const tick of [0, max / 2, max]) {
    chart.append(
      svg("line", {
        x1: PAD.left,
        x2: WIDTH - PAD.right,
        y1: y(tick),
        y2: y(tick),
        class: "chart__grid",
      }),
      svg(
        "text",
        { x: PAD.left - 4, y: y(tick) + 4, class: "chart__tick", "text-anchor": "end" },
        format(tick),
      ),
    );
  }
  chart.append(
    svg(
      "text",
      { x: WIDTH - PAD.right, y: HEIGHT - 4, class: "chart__tick", "text-anchor": "end" },
      "now",
    ),
    svg("text", { x: PAD.left, y: HEIGHT - 4, class: "chart__tick" }, options.span),
  );
  for (const s of series) {
    const points = s.values
      .map((v, i) =>
        v === null ? null : `${x(i + count - s.values.length).toFixed(1)},${y(v).toFixed(1)}`,
      )
      .filter((p): p is string => p !== null);
    if (points.length === 0) continue;
    chart.append(
      points.length === 1
        ? svg("circle", {
            cx: points[0]?.split(",")[0] ?? 0,
            cy: points[0]?.split(",")[1] ?? 0,
            r: 3,
            class: `chart__dot ${s.tone}`,
          })
        : svg("polyline", { points: points.join(" "), class: `chart__line ${s.tone}` }),
    );
  }
  return chart;
}

/** Horizontal bars, one per row, on one scale. */
export function barChart(options: {
  title: string;
  rows: Array<{ label: string; value: number; note?: string }>;
  format: (value: number) => string;
}): HTMLElement {
  const max = Math.max(1, ...options.rows.map((r) => r.value));
  return h(
    "ul",
    { class: "bars", "aria-label": options.title },
    ...options.rows.map((row) => {
      const bar = h("span", { class: "bars__bar" });
      // Through the CSSOM: the page's CSP allows no style attributes.
      bar.style.width = `${(100 * row.value) / max}%`;
      return h(
        "li",
        { class: "bars__row" },
        h("span", { class: "bars__label" }, row.label),
        h("span", { class: "bars__track", "aria-hidden": "true" }, bar),
        h(
          "span",
          { class: "bars__value" },
          options.format(row.value),
          row.note ? ` · ${row.note}` : "",
        ),
      );
    }),
  );
}

function latest(values: ReadonlyArray<number | null>, format: (value: number) => string): string {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return format(v);
  }
  return "no data yet";
}
