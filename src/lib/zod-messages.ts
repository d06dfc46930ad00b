/**
 * English messages for zod checks that carry none of their own. wa-edge uses zod's
 * tree-shakable mini build (the full one was most of a deploy's size), which ships none.
 * Imported for its effect by the modules that turn issues into answers.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
