// What the simulator knows of people beyond their chats: who has a profile picture (by default
// every direct chat of the demo has one, groups and strangers none) and names saved on the phone.
import { mosaicJpeg } from "./formats/jpeg.ts";
import { isGroupId, toCus } from "./jids.ts";

export class SimContacts {
  /** contact (`@c.us`/`@g.us`) → whether WhatsApp shows a picture; unset: the default. */
  private pictures = new Map<string, boolean>();
  private saved = new Map<string, string>();

  clear(): void {
    this.pictures.clear();
    this.saved.clear();
  }

  setPicture(contactId: string, has: boolean): void {
    this.pictures.set(toCus(contactId), has);
  }

  /** `known`: whether the contact has a chat in the simulator. */
  hasPicture(contactId: string, known: boolean): boolean {
    const id = toCus(contactId);
    return this.pictures.get(id) ?? (known && !isGroupId(id));
  }

  /** The picture's bytes: a small JPEG of the contact's own colours. */
  picture(contactId: string): Buffer {
    let seed = 7;
    for (const ch of toCus(contactId)) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
    return mosaicJpeg(seed);
  }

  setSavedName(contactId: string, name: string | null): void {
    if (name === null) this.saved.delete(toCus(contactId));
    else this.saved.set(toCus(contactId), name);
  }

  savedName(contactId: string): string | undefined {
    return this.saved.get(toCus(contactId));
  }
}
