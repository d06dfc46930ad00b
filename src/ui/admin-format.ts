/** How /admin writes its figures: counts, rates, sizes, and a chart's legend. */
import { h } from "./dom.ts";

export function legend(items: Array<[string, string]>): HTMLElement {
  return h(
    "ul",
    { class: "legend" },
    ...items.map(([tone, label]) =>
      h("li", {}, h("span", { class: `legend__swatch ${tone}`, "aria-hidden": "true" }), label),
    ),
  );
}

export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString() : String(Math.round(n * 10) / 10);
}

export function pct(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
