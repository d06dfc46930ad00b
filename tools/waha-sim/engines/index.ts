// The three engines by name.
import type { Engine } from "../model.ts";
import type { EngineShapes } from "./engine.ts";
import { gows } from "./gows.ts";
import { noweb } from "./noweb.ts";
import { webjs } from "./webjs.ts";

const ENGINE_SHAPES: Record<Engine, EngineShapes> = { WEBJS: webjs, NOWEB: noweb, GOWS: gows };

export function shapesOf(engine: Engine): EngineShapes {
  return ENGINE_SHAPES[engine];
}
