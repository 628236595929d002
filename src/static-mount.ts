import express from "express";
import type { RequestHandler } from "express";
import type { ResolvedStaticFiles } from "./config";
import { createHoldMusicHandler } from "./hold-music";
import { createStaticFilesMiddleware } from "./static-files";
import type { PipelineHandler, WebhookHandler } from "./routing/pipeline";

/**
 * Everything under the static mount path, in the documented order: the user's `middleware`
 * (if any) sees every request first and may hand the hold-music endpoint on with `next()`;
 * without it, the hold-music endpoint comes first, then the built-in file server (path mode).
 */
export function createStaticMount(
  staticFiles: ResolvedStaticFiles,
  wrap: (handler: WebhookHandler) => PipelineHandler,
): RequestHandler {
  const router = express.Router();
  const holdMusic =
    staticFiles.holdMusic === undefined ? undefined : createHoldMusicHandler(staticFiles.holdMusic, wrap);
  if (staticFiles.middleware !== undefined) {
    router.use(staticFiles.middleware);
    if (holdMusic !== undefined) router.use(holdMusic);
  } else {
    if (holdMusic !== undefined) router.use(holdMusic);
    if (staticFiles.source.kind === "path") router.use(createStaticFilesMiddleware(staticFiles.source.dir));
  }
  return router;
}
