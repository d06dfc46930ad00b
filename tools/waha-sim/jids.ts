// WhatsApp ids as WAHA converts them: the `@c.us` form its API speaks and the Baileys /
// whatsmeow `@s.whatsapp.net` form the NOWEB and GOWS engines keep internally.
// WAHA: src/core/utils/jids.ts (toCusFormat, toJID, isLidUser, isJidGroup, isJidBroadcast)

export type ChatKind = "direct" | "group" | "lid" | "newsletter" | "status";

export function isGroupId(id: string): boolean {
  return id.endsWith("@g.us");
}

export function isLidId(id: string): boolean {
  return id.endsWith("@lid");
}

export function isNewsletterId(id: string): boolean {
  return id.endsWith("@newsletter");
}

export function isBroadcastId(id: string): boolean {
  return id.endsWith("@broadcast");
}

export function chatKind(id: string): ChatKind {
  if (isGroupId(id)) return "group";
  if (isLidId(id)) return "lid";
  if (isNewsletterId(id)) return "newsletter";
  if (isBroadcastId(id)) return "status";
  return "direct";
}

/** Chats whose messages name their sender as a participant. */
export function hasParticipants(id: string): boolean {
  return isGroupId(id) || isBroadcastId(id);
}

/** A bare number gets WAHA's personal suffix, as its ensureSuffix does. */
export function ensureSuffix(id: string): string {
  return id.includes("@") ? id : `${id}@c.us`;
}

/** `…@s.whatsapp.net` (or a device jid `…:12@s.whatsapp.net`) → `…@c.us`; other kinds as they are. */
export function toCus(id: string): string {
  if (!id.endsWith("@s.whatsapp.net") && !id.endsWith("@c.us")) {
    return isLidId(id) ? id.replace(/:\d+(?=@)/, "") : id;
  }
  const user = (id.split("@")[0] ?? "").split(":")[0] ?? "";
  return `${user}@c.us`;
}

/** `…@c.us` → `…@s.whatsapp.net`; groups, lids, newsletters and broadcasts stay as they are. */
export function toJid(id: string): string {
  if (isGroupId(id) || isBroadcastId(id) || isNewsletterId(id) || isLidId(id)) return id;
  return `${id.split("@")[0] ?? id}@s.whatsapp.net`;
}
