/**
 * Who answers the open chat: for admins and users a select that assigns it (its "Saved"
 * stays until the next change), for agents a line saying it is theirs; and for staff, how
 * long the first response took or how long the customer has been waiting for one.
 */
import type { ApiClient } from "../client/api-client.ts";
import { chatRef, isChat } from "../client/inbox-frames.ts";
import type { Agent, Chat, ChatAssignment, Me } from "../client/types.ts";
import { h, replaceChildren } from "./dom.ts";
import { describeError, formatDuration, toMillis } from "./format.ts";

export interface AssignDeps {
  api: ApiClient;
  me: Me;
  /** Agents to assign to; undefined for agents, who cannot assign. */
  agents: () => readonly Agent[] | undefined;
  onAssigned: (number: string, jid: string, agentId: string | null) => void;
}

export class AssignControl {
  readonly element = h("div", { class: "assign" });
  readonly #deps: AssignDeps;
  readonly #select = h("select", { id: "assign-select", name: "agent" });
  readonly #status = h("span", { class: "assign__status", role: "status" });
  readonly #sla = h("p", { class: "assign__sla" });
  #chat: Chat | undefined;
  #saving = false;
  #assignment: ChatAssignment | null = null;
  #loadedFor: string | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;

  constructor(deps: AssignDeps) {
    this.#deps = deps;
    this.#select.addEventListener("change", () => this.#save());
  }

  /** A chat was opened (or none): the status of the last change goes with the old chat. */
  open(chat: Chat | undefined): void {
    this.#chat = chat;
    this.#status.textContent = "";
    this.#saving = false;
    this.#assignment = null;
    this.#loadedFor = undefined;
    clearInterval(this.#tick);
    this.#tick = undefined;
    this.#render();
    this.refreshTimes();
  }

  /** The chat's state changed (an event, a reload): the select follows unless it is saving. */
  update(chat: Chat): void {
    if (!this.#chat || !isChat(chat, this.#chat.number, this.#chat.id)) return;
    this.#chat = chat;
    if (this.#saving) return;
    this.#render();
  }

  /** Reads the first-message and first-response times again (after a send, an assignment). */
  refreshTimes(): void {
    const chat = this.#chat;
    if (!chat || this.#deps.me.role === "agent") return;
    const { id: jid, number } = chat;
    this.#deps.api.assignment(jid, number).then(
      (assignment) => {
        if (!this.#chat || !isChat(this.#chat, number, jid)) return;
        this.#assignment = assignment;
        this.#loadedFor = chatRef(number, jid);
        this.#renderSla();
      },
      () => {
        // The times are a nicety; the next event asks again.
      },
    );
  }

  #render(): void {
    const chat = this.#chat;
    if (!chat) {
      replaceChildren(this.element);
      return;
    }
    const agents = this.#deps.agents();
    const { me } = this.#deps;
    if (!agents) {
      replaceChildren(
        this.element,
        h("span", { class: "assign__owner" }, chat.owner === me.sub ? "Assigned to you" : ""),
      );
      return;
    }
    // Only agents who work the chat's number (none named: every number) may take it.
    const works = (a: Agent) => !a.numbers || !chat.number || a.numbers.includes(chat.number);
    const listed = agents.filter((a) => (a.active && works(a)) || a.id === chat.owner);
    const options = [
      h("option", { value: "" }, "Unassigned"),
      ...listed.map((a) =>
        h("option", { value: a.id }, a.active ? a.name : `${a.name} (inactive)`),
      ),
    ];
    if (chat.owner && !listed.some((a) => a.id === chat.owner)) {
      options.push(h("option", { value: chat.owner }, chat.owner));
    }
    replaceChildren(this.#select, ...options);
    this.#select.value = chat.owner ?? "";
    this.#select.disabled = false;
    if (!this.element.contains(this.#select)) {
      replaceChildren(
        this.element,
        h("label", { for: "assign-select" }, "Assigned to"),
        this.#select,
        this.#status,
        this.#sla,
      );
    }
    this.#renderSla();
  }

  #renderSla(): void {
    const a = this.#assignment;
    const chat = this.#chat;
    if (!chat || this.#loadedFor !== chatRef(chat.number, chat.id) || !a) {
      this.#sla.textContent = "";
      return;
    }
    const first = toMillis(a.firstMessageAt);
    const response = toMillis(a.firstResponseAt);
    clearInterval(this.#tick);
    this.#tick = undefined;
    if (first !== undefined && response !== undefined) {
      this.#sla.textContent = `First response after ${formatDuration(response - first)}`;
    } else if (first !== undefined) {
      const show = () => {
        this.#sla.textContent = `Waiting ${formatDuration(Date.now() - first)} for a first response`;
      };
      show();
      this.#tick = setInterval(show, 30_000);
    } else {
      this.#sla.textContent = "";
    }
  }

  #save(): void {
    const chat = this.#chat;
    if (!chat) return;
    const agentId = this.#select.value === "" ? null : this.#select.value;
    const name = this.#select.selectedOptions[0]?.textContent ?? agentId;
    this.#saving = true;
    this.#select.disabled = true;
    this.#status.textContent = "Saving…";
    this.#deps.api.assign(chat.id, agentId, chat.number).then(
      (assignment) => {
        if (!this.#chat || !isChat(this.#chat, chat.number, chat.id)) return;
        this.#saving = false;
        this.#select.disabled = false;
        this.#status.textContent = agentId ? `Saved: assigned to ${name}` : "Saved: unassigned";
        this.#assignment = assignment;
        this.#loadedFor = chatRef(chat.number, chat.id);
        this.#deps.onAssigned(chat.number, chat.id, agentId);
        this.#renderSla();
      },
      (error: unknown) => {
        if (!this.#chat || !isChat(this.#chat, chat.number, chat.id)) return;
        this.#saving = false;
        this.#select.disabled = false;
        this.#select.value = chat.owner ?? "";
        this.#status.textContent = `Not saved: ${describeError(error)}`;
      },
    );
  }
}
