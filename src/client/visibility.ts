/** Whether the page is on screen, as a small interface so pollers can be tested without a DOM. */
export interface Visibility {
  visible(): boolean;
  /** Calls `listener` on every change; the returned function unsubscribes. */
  subscribe(listener: (visible: boolean) => void): () => void;
}

/** `document.visibilityState` and its `visibilitychange` event. */
export function documentVisibility(doc: Document = document): Visibility {
  return {
    visible: () => doc.visibilityState !== "hidden",
    subscribe(listener) {
      const onChange = () => listener(doc.visibilityState !== "hidden");
      doc.addEventListener("visibilitychange", onChange);
      return () => doc.removeEventListener("visibilitychange", onChange);
    },
  };
}

/** For pages without a document (and tests): always visible. */
export const alwaysVisible: Visibility = { visible: () => true, subscribe: () => () => {} };
